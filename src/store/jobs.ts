import type { Insertable, Selectable, Updateable } from 'kysely';
import { newId } from '../domain/ids';
import type { Job, JobInput, JobPatch } from '../domain/job';
import type { Db } from './db';
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
  };
}

export type JobsRepository = ReturnType<typeof createJobsRepository>;

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
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
