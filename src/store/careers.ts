import { type Selectable, sql } from 'kysely';
import type { Job } from '../domain/job';
import type { Db } from './db';
import { toJob } from './jobs';
import type { JobsTable } from './schema';

/** What a careers list shows of a job (no description or dates: a list never needs them). */
export type JobSummary = Pick<Job, 'id' | 'title' | 'location' | 'workplace' | 'salary' | 'employmentStatus' | 'department'>;

export interface JobSearch {
  /** Every word must appear in the title, department, category, employment type or description. */
  q?: string;
  /** Appears in the city, region, postcode or country. */
  location?: string;
  workplace: string[];
  department?: string;
  employmentStatus?: string;
  offset: number;
  limit: number;
}

const SUMMARY_COLUMNS = ['id', 'title', 'location', 'workplace', 'salary', 'employment_status', 'department'] as const;

/** The careers site's reads: only jobs that are published, not hidden and open; and the site's branding. */
export function createCareersRepository(db: Db) {
  const publicJobs = () => db.selectFrom('jobs').where('published', '=', true).where('hidden', '=', false).where('state', '=', 'open');
  const newest = sql`coalesce(posted_at, created_at)`;
  const matching = (search: JobSearch) => {
    let q = publicJobs();
    for (const word of words(search.q)) q = q.where('search_text', 'ilike', contains(word));
    if (search.location) {
      const place = sql`concat_ws(' ', location->>'city', location->>'region', location->>'postcode', location->>'country')`;
      q = q.where(sql<boolean>`${place} ilike ${contains(search.location)}`);
    }
    if (search.workplace.length) q = q.where('workplace', 'in', search.workplace);
    // Sources spell the same value differently ("Full-time", "full-time"): one filter option matches them all.
    if (search.department) q = q.where(sql<boolean>`lower(department) = lower(${search.department})`);
    if (search.employmentStatus) q = q.where(sql<boolean>`lower(employment_status) = lower(${search.employmentStatus})`);
    return q;
  };

  return {
    async search(search: JobSearch): Promise<{ jobs: JobSummary[]; total: number }> {
      const rows = await matching(search)
        .select(SUMMARY_COLUMNS)
        .select(sql<number>`count(*) over ()`.as('total'))
        .orderBy(newest, 'desc')
        .orderBy('id', 'desc')
        .offset(search.offset)
        .limit(search.limit)
        .execute();
      if (rows[0]) return { jobs: rows.map(toSummary), total: Number(rows[0].total) };
      // Past the last page no row carries the total.
      const counted = search.offset > 0 ? await matching(search).select(sql<number>`count(*)`.as('n')).executeTakeFirst() : undefined;
      return { jobs: [], total: Number(counted?.n ?? 0) };
    },

    /** The values the filters offer: every department and employment type of the public jobs. */
    async facets(): Promise<{ departments: string[]; employmentStatuses: string[] }> {
      const rows = await publicJobs().select(['department', 'employment_status']).distinct().execute();
      // One option per value whatever its case, shown in one of the spellings the jobs use.
      const sorted = (values: Array<string | null>) =>
        [...new Map(values.filter((v): v is string => Boolean(v)).map((v) => [v.toLowerCase(), v])).values()].sort((a, b) =>
          a.localeCompare(b),
        );
      return { departments: sorted(rows.map((r) => r.department)), employmentStatuses: sorted(rows.map((r) => r.employment_status)) };
    },

    /** A public job in full, or undefined when it does not exist or is not public (hidden, unpublished, closed). */
    async job(id: string): Promise<Job | undefined> {
      const row = await publicJobs().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },

    /** Every public job's id, title and last change, for the sitemap. */
    async index(): Promise<Array<Pick<Job, 'id' | 'title' | 'updatedAt'>>> {
      const rows = await publicJobs().select(['id', 'title', 'updated_at']).orderBy(newest, 'desc').orderBy('id', 'desc').execute();
      return rows.map((r) => ({ id: r.id, title: r.title, updatedAt: r.updated_at.toISOString() }));
    },

    async settings(): Promise<{ settings: Record<string, unknown>; updatedAt: string } | undefined> {
      const row = await db.selectFrom('careers_settings').selectAll().where('id', '=', SITE).executeTakeFirst();
      return row && { settings: row.settings, updatedAt: row.updated_at.toISOString() };
    },

    async putSettings(settings: object): Promise<void> {
      const values = { settings: JSON.stringify(settings), updated_at: new Date() };
      await db
        .insertInto('careers_settings')
        .values({ id: SITE, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
    },
  };
}

export type CareersRepository = ReturnType<typeof createCareersRepository>;

/** One careers site per jobrelay. */
const SITE = 'default';

function words(q: string | undefined): string[] {
  return (q ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
}

/** An ILIKE pattern matching `value` anywhere, its own wildcards taken literally. */
function contains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toSummary(row: Pick<Selectable<JobsTable>, (typeof SUMMARY_COLUMNS)[number]>): JobSummary {
  return {
    id: row.id,
    title: row.title,
    location: row.location,
    workplace: row.workplace as Job['workplace'],
    salary: row.salary ?? undefined,
    employmentStatus: row.employment_status,
    department: row.department ?? undefined,
  };
}
