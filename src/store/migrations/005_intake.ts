import { type Kysely, sql } from 'kysely';

/**
 * Applications as a board delivered them, staged before the intake workflow starts, so the workflow input
 * carries ids only (no CV bytes or personal data in Temporal history). A staged row is invisible to the API:
 * harmless if its workflow never runs, and processed when it does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('intake_deliveries')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('posting_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    // The application's fields without its CV: what the intake activities turn into a candidate and an application.
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('cv_required', 'boolean', (c) => c.notNull())
    // The posting was no longer live when the application arrived.
    .addColumn('late', 'boolean', (c) => c.notNull())
    .addColumn('cv_filename', 'text')
    .addColumn('cv_content_type', 'text')
    .addColumn('cv_sha256', 'text')
    // Dropped once the CV is stored as a document (or refused), so the bytes are not kept twice.
    .addColumn('cv_content', 'bytea')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('received'))
    .addColumn('reason', 'text')
    .addColumn('candidate_id', 'text')
    .addColumn('application_id', 'text')
    .addColumn('document_id', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .addPrimaryKeyConstraint('intake_deliveries_pk', ['provider', 'external_id'])
    .execute();
  await db.schema.createIndex('intake_deliveries_state').on('intake_deliveries').columns(['state', 'received_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('intake_deliveries').execute();
}
