import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { newId } from '../domain/ids';
import type { Job, JobInput, JobPatch } from '../domain/job';
import type { Db } from './db';
import { anyOf } from './json-rows';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { JobsTable } from './schema';

export function createJobsRepository(db: Db) {
  return {
    async create(input: JobInput): Promise<Job> {
      const row = await db
        .insertInto('jobs')
        .values({ ...(toColumns(input) as Insertable<JobsTable>), id: newId('job'), source: 'jobrelay' })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toJob(row);
    },

    async get(id: string): Promise<Job | undefined> {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },

    async list(filter: PageRequest & { reference?: string; state?: string; source?: string }): Promise<Page<Job>> {
      const limit = filter.limit ?? 50;
      let q = newestFirst(db.selectFrom('jobs').selectAll(), filter, limit);
      if (filter.reference) q = q.where('reference', '=', filter.reference);
      if (filter.state) q = q.where('state', '=', filter.state);
      if (filter.source) q = q.where('source', '=', filter.source);
      return pageOf(await q.execute(), limit, toJob);
    },

    /** The job statuses (`employmentStatus`) open jobs use, with how many use each. */
    async openJobStatuses(): Promise<Array<{ employmentStatus: string; openJobs: number }>> {
      const rows = await db
        .selectFrom('jobs')
        .select(['employment_status', (eb) => eb.fn.countAll<string>().as('open_jobs')])
        .where('state', '=', 'open')
        .groupBy('employment_status')
        .orderBy('employment_status')
        .execute();
      return rows.map((r) => ({ employmentStatus: r.employment_status, openJobs: Number(r.open_jobs) }));
    },

    async update(id: string, patch: JobPatch): Promise<Job | undefined> {
      const columns = toColumns(patch);
      const row = await db
        .updateTable('jobs')
        .set({ ...columns, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toJob(row);
    },

    /**
     * Writes a job pulled from a provider, keyed on (source, externalId): inserted once, then updated only when a
     * field differs. Says which happened, so a sync can count created/updated/unchanged without writing twice.
     */
    async upsertFromSource(
      input: JobInput & { source: string; externalId: string; hidden: boolean; published: boolean; postedAt?: string },
    ) {
      const columns = {
        ...(toColumns(input) as Insertable<JobsTable>),
        source: input.source,
        external_id: input.externalId,
        hidden: input.hidden,
        published: input.published,
        posted_at: input.postedAt ?? null,
        // Listed by its source again: no longer gone.
        deleted_at: null,
      };
      const synced = [
        'reference',
        'title',
        'description',
        'location',
        'workplace',
        'salary',
        'employment_status',
        'category',
        'recruiter',
        'state',
        'hidden',
        'published',
        'apply_url',
        'department',
        'sections',
        'experience_level',
        'posted_at',
        'deleted_at',
      ] as const;
      const row = await db
        .insertInto('jobs')
        .values({ ...UNSET, ...columns, id: newId('job') })
        .onConflict((oc) =>
          oc
            .columns(['source', 'external_id'])
            .where('external_id', 'is not', null)
            .doUpdateSet((eb) => ({ ...Object.fromEntries(synced.map((c) => [c, eb.ref(`excluded.${c}`)])), updated_at: new Date() }))
            .where(
              sql<boolean>`(${sql.join(synced.map((c) => sql.ref(`jobs.${c}`)))}) is distinct from (${sql.join(synced.map((c) => sql.ref(`excluded.${c}`)))})`,
            ),
        )
        .returning(['id', sql<boolean>`xmax = 0`.as('inserted')])
        .executeTakeFirst();
      return { id: row?.id, outcome: !row ? ('unchanged' as const) : row.inserted ? ('created' as const) : ('updated' as const) };
    },

    /** A provider's job no longer matches what is synced (closed, moved channel): unpublish the one we hold, if any. */
    async unpublishFromSource(source: string, externalId: string, state: Job['state']): Promise<'updated' | 'unchanged' | 'missing'> {
      const existing = await db
        .selectFrom('jobs')
        .select(['id', 'published', 'state'])
        .where('source', '=', source)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      if (!existing) return 'missing';
      if (!existing.published && existing.state === state) return 'unchanged';
      await db.updateTable('jobs').set({ published: false, state, updated_at: new Date() }).where('id', '=', existing.id).execute();
      return 'updated';
    },

    /** Jobs gone at their source: unpublished, closed and marked deleted (kept). How many changed. */
    async markGone(source: string, externalIds: string[]): Promise<number> {
      if (externalIds.length === 0) return 0;
      const result = await db
        .updateTable('jobs')
        .set({ published: false, state: 'closed', deleted_at: new Date(), updated_at: new Date() })
        .where('source', '=', source)
        .where('external_id', 'in', externalIds)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Our ids of these jobs of a source, by the source's id (those we hold). */
    async idsBySource(source: string, externalIds: string[], tx: Db = db): Promise<Map<string, string>> {
      if (externalIds.length === 0) return new Map();
      const rows = await tx
        .selectFrom('jobs')
        .select(['id', 'external_id'])
        .where('source', '=', source)
        .where('external_id', '=', anyOf([...new Set(externalIds)]))
        .execute();
      return new Map(rows.map((r) => [r.external_id as string, r.id]));
    },

    async idBySource(source: string, externalId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('jobs')
        .select('id')
        .where('source', '=', source)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row?.id;
    },
  };
}

export type JobsRepository = ReturnType<typeof createJobsRepository>;

/** Optional columns a provider may leave out: written as null, so a field removed in the source is cleared here too. */
const UNSET = {
  reference: null,
  salary: null,
  category: null,
  apply_url: null,
  department: null,
  sections: null,
  experience_level: null,
};

function toColumns(input: JobPatch): Updateable<JobsTable> {
  const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
  const columns = {
    reference: input.reference,
    title: input.title,
    description: input.description,
    location: json(input.location),
    workplace: input.workplace,
    salary: json(input.salary),
    employment_status: input.employmentStatus,
    category: input.category,
    recruiter: json(input.recruiter),
    state: input.state,
    apply_url: input.applyUrl,
    department: input.department,
    sections: json(input.sections),
    experience_level: input.experienceLevel,
    published: input.published,
    hidden: input.hidden,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
}

export function toJob(row: Selectable<JobsTable>): Job {
  return {
    id: row.id,
    reference: row.reference ?? undefined,
    title: row.title,
    description: row.description,
    location: row.location,
    workplace: row.workplace as Job['workplace'],
    salary: row.salary ?? undefined,
    employmentStatus: row.employment_status,
    category: row.category ?? undefined,
    recruiter: row.recruiter,
    state: row.state as Job['state'],
    source: row.source,
    externalId: row.external_id ?? undefined,
    hidden: row.hidden,
    published: row.published,
    applyUrl: row.apply_url ?? undefined,
    department: row.department ?? undefined,
    sections: row.sections ?? undefined,
    experienceLevel: row.experience_level ?? undefined,
    postedAt: row.posted_at?.toISOString(),
    deletedAt: row.deleted_at?.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
