import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('candidates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('location', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('education', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('experience', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('candidates_email').on('candidates').column('email').execute();
  await db.schema.createIndex('candidates_phone').on('candidates').column('phone').execute();
  await db.schema.createIndex('candidates_updated').on('candidates').columns(['updated_at', 'id']).execute();

  await db.schema
    .createTable('candidate_sources')
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('referrer', 'text')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('candidate_sources_pk', ['provider', 'external_id'])
    .execute();
  await db.schema.createIndex('candidate_sources_candidate').on('candidate_sources').column('candidate_id').execute();

  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id').onDelete('cascade'))
    .addColumn('job_id', 'text')
    .addColumn('posting_id', 'text')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_status', 'text')
    .addColumn('referrer', 'text')
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull())
    .addColumn('late', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('applications_source', ['provider', 'external_id'])
    .execute();
  await db.schema.createIndex('applications_job').on('applications').column('job_id').execute();
  await db.schema.createIndex('applications_candidate').on('applications').column('candidate_id').execute();
  await db.schema.createIndex('applications_updated').on('applications').columns(['updated_at', 'id']).execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.references('candidates.id').onDelete('cascade'))
    .addColumn('application_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('cv'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One copy of a file per candidate; unattached (staged) files dedupe on their hash alone.
  await db.schema.createIndex('documents_candidate_sha').unique().on('documents').columns(['candidate_id', 'sha256']).execute();
  await db.schema.createIndex('documents_sha').on('documents').column('sha256').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['documents', 'applications', 'candidate_sources', 'candidates']) await db.schema.dropTable(table).execute();
}
