import { type Kysely, sql } from 'kysely';

/**
 * CV bytes are kept out of line but no longer compressed: PDFs and DOCX files are compressed already, and the
 * store's attempt (pglz, on every write of a 200 KB CV) took about half of the staging insert's time for nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table intake_deliveries alter column cv_content set storage external`.execute(db);
  await sql`alter table documents alter column content set storage external`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table intake_deliveries alter column cv_content set storage extended`.execute(db);
  await sql`alter table documents alter column content set storage extended`.execute(db);
}
