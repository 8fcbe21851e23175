import { type Kysely, sql } from 'kysely';

/** Erasure and the subject-access export find the events naming a candidate (`data @> …`) without reading every event. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index events_data on events using gin (data jsonb_path_ops)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index events_data`.execute(db);
}
