import { type Kysely, sql } from 'kysely';

// A relay connector's own records (src/relay): candidates delivered into the ATS, and the daily status sync back.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per candidate and ATS recruitment: the same candidate delivered twice to one recruitment is one row.
  await db.schema
    .createTable('relay_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connector_id', 'text', (c) => c.notNull().references('connectors.id').onDelete('cascade'))
    .addColumn('candidate_id', 'text', (c) => c.notNull())
    .addColumn('recruitment_id', 'text', (c) => c.notNull())
    // pending → delivered | refused | failed (a failed or refused one may be delivered again).
    .addColumn('state', 'text', (c) => c.notNull())
    // The person as the tool described them, kept only until the candidate is delivered (personal data).
    .addColumn('person', 'jsonb')
    .addColumn('cv_url', 'text')
    .addColumn('application_id', 'text')
    .addColumn('duplicate', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reason', 'text')
    .addColumn('detail', 'text')
    .addColumn('reported', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addUniqueConstraint('relay_deliveries_candidate', ['connector_id', 'candidate_id', 'recruitment_id'])
    .execute();
  await db.schema.createIndex('relay_deliveries_application').on('relay_deliveries').columns(['connector_id', 'application_id']).execute();

  // The status sync of a connector: when it was switched on, its daily time, the ATS's stages as last read, the
  // mapping version in force, and where the last good run ended.
  await db.schema
    .createTable('relay_status_sync')
    .addColumn('connector_id', 'text', (c) => c.primaryKey().references('connectors.id').onDelete('cascade'))
    .addColumn('enabled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('stages', 'jsonb', (c) => c.notNull())
    .addColumn('mapping_version', 'integer', (c) => c.notNull())
    .addColumn('synced_until', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Every mapping saved, kept: each run records the version it used.
  await db.schema
    .createTable('relay_status_mappings')
    .addColumn('connector_id', 'text', (c) => c.notNull().references('connectors.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('mapping', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('relay_status_mappings_pk', ['connector_id', 'version'])
    .execute();

  await db.schema
    .createTable('relay_status_runs')
    // Temporal's run id (the workflow id, from the Schedule, repeats within one second).
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull().references('connectors.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('mapping_version', 'integer', (c) => c.notNull())
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .addColumn('until', 'timestamptz', (c) => c.notNull())
    .addColumn('new_stages', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('tally', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('relay_status_runs_connector').on('relay_status_runs').columns(['connector_id', 'created_at']).execute();

  // Each stage change pushed to the tool, once: the run that pushed it counts it as pushed if it is retried.
  await db.schema
    .createTable('relay_status_pushes')
    .addColumn('connector_id', 'text', (c) => c.notNull().references('connectors.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('pushed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('relay_status_pushes_pk', ['connector_id', 'application_id', 'stage_id', 'changed_at'])
    .execute();

  // Changes into a stage without a mapping, waiting for one (the "unmapped" list).
  await db.schema
    .createTable('relay_status_held')
    .addColumn('connector_id', 'text', (c) => c.notNull().references('connectors.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('candidate_id', 'text', (c) => c.notNull())
    .addColumn('held_since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The last run that counted it, so a run counts each held change once.
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('relay_status_held_pk', ['connector_id', 'application_id', 'stage_id', 'changed_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'relay_status_held',
    'relay_status_pushes',
    'relay_status_runs',
    'relay_status_mappings',
    'relay_status_sync',
    'relay_deliveries',
  ])
    await db.schema.dropTable(table).execute();
}
