import { type Kysely, sql } from 'kysely';

/**
 * The refusal of a new application, document or source of an erased candidate (040_privacy, SQLSTATE JR410) once a
 * statement instead of once a row: a sync page inserts a hundred rows in one statement, and the row trigger's plpgsql
 * call and lookup per row cost more than the check. The statement's inserted rows (a transition table) are checked
 * once: every candidate they name is share-locked, as the row trigger locked each (waiting for an erasure under
 * way to commit), then read. A conflict that updates an existing row inserts nothing, as before
 * it added nothing to the erased person (their applications were renamed and their sources removed).
 */
const ERASABLE = ['applications', 'documents', 'candidate_sources'];

export async function up(db: Kysely<unknown>): Promise<void> {
  // Locked first, then read: the lock waits for an erasure under way, and the read that follows (a statement of its
  // own, so a snapshot of its own) sees what that erasure committed. One query doing both reads the rows as they
  // were before the wait.
  await sql`create function refuse_erased_candidates() returns trigger language plpgsql as $$
            begin
              perform 1 from candidates where id in (select candidate_id from inserted) for share;
              if exists (select 1 from candidates
                         where id in (select candidate_id from inserted) and erased_at is not null) then
                raise exception 'the candidate''s data was erased' using errcode = 'JR410';
              end if;
              return null;
            end $$`.execute(db);
  for (const table of ERASABLE) {
    await sql`drop trigger ${sql.raw(`${table}_refuse_erased`)} on ${sql.table(table)}`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_refuse_erased`)} after insert on ${sql.table(table)}
              referencing new table as inserted
              for each statement execute function refuse_erased_candidates()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ERASABLE) {
    await sql`drop trigger ${sql.raw(`${table}_refuse_erased`)} on ${sql.table(table)}`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_refuse_erased`)} before insert on ${sql.table(table)}
              for each row execute function refuse_erased_candidate()`.execute(db);
  }
  await sql`drop function refuse_erased_candidates()`.execute(db);
}
