import { type Kysely, sql } from 'kysely';

/**
 * Lists newest first (`newestFirst`, src/store/paging.ts) order by the creation time at millisecond precision, in UTC
 * (the precision a cursor keeps). Without an index on that expression, each page of `GET /v1/candidates` sorted the
 * whole table: at 50,000 candidates the reads made during a backfill took longer with every page written. The
 * tables a sync fills get the index; the others stay small.
 */
const TABLES = ['candidates', 'applications'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES)
    await sql`create index ${sql.raw(`${table}_newest`)} on ${sql.table(table)}
              ((date_trunc('milliseconds', created_at at time zone 'UTC')), id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await sql`drop index ${sql.raw(`${table}_newest`)}`.execute(db);
}
