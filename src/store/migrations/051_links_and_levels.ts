import { type Kysely, sql } from 'kysely';

/**
 * What SmartRecruiters gives that had nowhere to go (issue 11): a job's experience level, and a candidate's web links
 * by kind (linkedin, website, …). The links are personal data: erasure blanks them with the rest of the row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('experience_level', 'text').execute();
  await db.schema
    .alterTable('candidates')
    .addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('candidates').dropColumn('links').execute();
  await db.schema.alterTable('jobs').dropColumn('experience_level').execute();
}
