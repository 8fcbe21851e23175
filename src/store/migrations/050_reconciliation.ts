import { type Kysely, sql } from 'kysely';

/**
 * Reconciling sweeps (issue 11): what each connector record wrote, when a complete listing last showed it and when
 * it was found gone; records whose list item has no update time (SmartRecruiters postings) are compared by a content
 * version instead. Records gone at their provider are marked, never deleted: jobs, applications and a candidate's
 * source get `deleted_at`; the connector's sweep schedule is its own column (not a provider setting).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table connector_records alter column source_updated_at drop not null`.execute(db);
  await db.schema
    .alterTable('connector_records')
    // A fingerprint of the record as its provider listed it (the engine's, or the stream's own).
    .addColumn('version', 'text')
    // What the record's writes produced, by kind: {jobs: [...], people: [...], applications: [...]} (external ids).
    .addColumn('wrote', 'jsonb')
    // The run (its start, ms) of the last complete listing that showed the record.
    .addColumn('listed_at', 'bigint')
    // When a complete listing no longer showed it and the provider confirmed it gone.
    .addColumn('gone_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('connector_records_listed')
    .on('connector_records')
    .columns(['connector_id', 'stream', 'listed_at'])
    .execute();

  for (const table of ['jobs', 'applications', 'candidate_sources']) {
    await db.schema.alterTable(table).addColumn('deleted_at', 'timestamptz').execute();
  }
  await db.schema.alterTable('connectors').addColumn('sweep', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('connectors').dropColumn('sweep').execute();
  for (const table of ['jobs', 'applications', 'candidate_sources']) await db.schema.alterTable(table).dropColumn('deleted_at').execute();
  await db.schema.dropIndex('connector_records_listed').execute();
  await db.schema
    .alterTable('connector_records')
    .dropColumn('version')
    .dropColumn('wrote')
    .dropColumn('listed_at')
    .dropColumn('gone_at')
    .execute();
}
