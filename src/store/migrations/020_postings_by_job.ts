import type { Kysely } from 'kysely';

/** A job's postings are looked up by job: on every job edit, and on every page a connector sync reads. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('postings_job_id').on('postings').column('job_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('postings_job_id').execute();
}
