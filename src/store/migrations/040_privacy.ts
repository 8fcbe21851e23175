import { type Kysely, sql } from 'kysely';

/**
 * Candidate data protection: an erased candidate's row stays as a tombstone (id, when, who asked) so counts and
 * foreign keys stay whole; the keyed hashes of what identified them let a later delivery or sync of the same
 * person be recognised without holding their data; erasures, exports and retention runs are audited. Staged
 * deliveries already processed drop the applicant's fields (the candidate, application and document hold them).
 */
/** Tables whose rows hang off a candidate and must not be added to an erased one. */
const ERASABLE = ['applications', 'documents', 'candidate_sources'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('candidates').addColumn('erased_at', 'timestamptz').addColumn('erased_by', 'text').execute();

  await db.schema
    .createTable('erased_identities')
    // HMAC-SHA256 under the server key of `<kind>:<normalised value>`: never the value itself.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    // For a phone + surname key: the erased person also had an email (two emails are two people).
    .addColumn('with_email', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('erased_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('erased_identities_candidate').on('erased_identities').column('candidate_id').execute();

  await db.schema
    .createTable('privacy_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('candidate_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    // Counts and section names only: never the personal data itself.
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('privacy_audit_newest').on('privacy_audit').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('privacy_audit_candidate').on('privacy_audit').column('candidate_id').execute();

  // A write racing an erasure lands before it (and is erased with the rest) or not at all: a new application,
  // document or source of an erased candidate is refused by the database itself (SQLSTATE JR410, a GoneError).
  // The row lock waits for an erasure under way to commit, then reads what it left.
  await sql`create function refuse_erased_candidate() returns trigger language plpgsql as $$
            declare erased timestamptz;
            begin
              if new.candidate_id is null then return new; end if;
              select erased_at into erased from candidates where id = new.candidate_id for share;
              if erased is not null then
                raise exception 'the candidate''s data was erased' using errcode = 'JR410';
              end if;
              return new;
            end $$`.execute(db);
  for (const table of ERASABLE)
    await sql`create trigger ${sql.raw(`${table}_refuse_erased`)} before insert on ${sql.table(table)}
              for each row execute function refuse_erased_candidate()`.execute(db);

  await sql`update intake_deliveries
            set payload = '{}'::jsonb, cv_content = null, cv_filename = null, cv_sha256 = null
            where processed_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ERASABLE) await sql`drop trigger ${sql.raw(`${table}_refuse_erased`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function refuse_erased_candidate()`.execute(db);
  await db.schema.dropTable('privacy_audit').execute();
  await db.schema.dropTable('erased_identities').execute();
  await db.schema.alterTable('candidates').dropColumn('erased_at').dropColumn('erased_by').execute();
}
