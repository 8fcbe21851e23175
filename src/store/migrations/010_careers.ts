import { type Kysely, sql } from 'kysely';

/**
 * The careers site: the job fields its pages show (apply link, department, headed sections, the date the source
 * posted it) and the text its keyword search reads, the site's branding, and an index for the query every list
 * page runs (the public jobs, newest first).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('apply_url', 'text')
    .addColumn('department', 'text')
    .addColumn('sections', 'jsonb')
    .addColumn('posted_at', 'timestamptz')
    // What a keyword search reads: the words of the title, department, category, type and description (tags removed).
    .addColumn('search_text', 'text', (c) =>
      c
        .generatedAlwaysAs(
          sql`title || ' ' || coalesce(department, '') || ' ' || coalesce(category, '') || ' ' || employment_status || ' ' || regexp_replace(description, '<[^>]*>', ' ', 'g')`,
        )
        .stored(),
    )
    .execute();
  await sql`create index jobs_public_newest on jobs ((coalesce(posted_at, created_at)) desc, id desc)
            where published and not hidden and state = 'open'`.execute(db);
  await db.schema
    .createTable('careers_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('careers_settings').execute();
  await sql`drop index jobs_public_newest`.execute(db);
  await db.schema
    .alterTable('jobs')
    .dropColumn('apply_url')
    .dropColumn('department')
    .dropColumn('sections')
    .dropColumn('posted_at')
    .dropColumn('search_text')
    .execute();
}
