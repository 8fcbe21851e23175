import { type Kysely, sql } from 'kysely';

/**
 * A document's kind is one of `cv`, `cover-letter` and `other` (what the API shows): SmartRecruiters' documents were
 * stored under its attachment type in lower case (`cover_letter`, …); they take the kind it stands for.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update documents set kind = 'cover-letter' where kind = 'cover_letter'`.execute(db);
  await sql`update documents set kind = 'other' where kind not in ('cv', 'cover-letter')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update documents set kind = 'cover_letter' where kind = 'cover-letter'`.execute(db);
}
