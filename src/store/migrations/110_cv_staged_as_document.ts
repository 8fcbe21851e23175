import { type Kysely, sql } from 'kysely';

/**
 * A delivered CV's bytes are written once: the webhook stores them as a document of no one yet (`candidate_id`
 * null, no application) and the staged delivery points at it (`cv_document_id`); the intake makes that document the
 * candidate's instead of copying the bytes out of the staging table. Deliveries an older version staged and no intake
 * has finished (waiting, or failed and kept for a replay) have their bytes moved the same way.
 *
 * Taking a staged document for a candidate is an update, which the insert trigger of 090 does not see: the same
 * check runs after updates too, so a CV is never given to a person whose data was erased meanwhile (JR410).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('intake_deliveries').addColumn('cv_document_id', 'text').execute();

  await sql`update intake_deliveries
            set cv_document_id = 'doc_' || substr(md5(gen_random_uuid()::text), 1, 20)
            where cv_content is not null and processed_at is null`.execute(db);
  await sql`insert into documents (id, candidate_id, application_id, kind, filename, content_type, size, sha256, content)
            select cv_document_id, null, null, 'cv', coalesce(cv_filename, 'cv'), coalesce(cv_content_type, 'application/octet-stream'),
                   octet_length(cv_content), coalesce(cv_sha256, encode(sha256(cv_content), 'hex')), cv_content
            from intake_deliveries where cv_document_id is not null`.execute(db);
  await sql`update intake_deliveries set cv_content = null where cv_document_id is not null`.execute(db);

  // A process of the version before this one (a rolling upgrade on PostgreSQL) still stages the bytes in the row:
  // they are moved into a document as they arrive, so this version's intake finds them where it looks. A repeat
  // delivery (which the insert will leave out) moves nothing.
  await sql`create function intake_delivery_cv_as_document() returns trigger language plpgsql as $$
            begin
              if new.cv_content is null or new.cv_document_id is not null then return new; end if;
              if exists (select 1 from intake_deliveries where provider = new.provider and external_id = new.external_id) then
                return new;
              end if;
              new.cv_document_id := 'doc_' || substr(md5(gen_random_uuid()::text), 1, 20);
              insert into documents (id, candidate_id, application_id, kind, filename, content_type, size, sha256, content)
              values (new.cv_document_id, null, null, 'cv', coalesce(new.cv_filename, 'cv'),
                      coalesce(new.cv_content_type, 'application/octet-stream'), octet_length(new.cv_content),
                      coalesce(new.cv_sha256, encode(sha256(new.cv_content), 'hex')), new.cv_content);
              new.cv_content := null;
              return new;
            end $$`.execute(db);
  await sql`create trigger intake_deliveries_cv_as_document before insert on intake_deliveries
            for each row execute function intake_delivery_cv_as_document()`.execute(db);

  await sql`create trigger documents_refuse_erased_update after update on documents
            referencing new table as inserted
            for each statement execute function refuse_erased_candidates()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger documents_refuse_erased_update on documents`.execute(db);
  await sql`drop trigger intake_deliveries_cv_as_document on intake_deliveries`.execute(db);
  await sql`drop function intake_delivery_cv_as_document()`.execute(db);
  await sql`update intake_deliveries i set cv_content = d.content
            from documents d where d.id = i.cv_document_id and d.candidate_id is null`.execute(db);
  await sql`delete from documents d using intake_deliveries i where d.id = i.cv_document_id and d.candidate_id is null`.execute(db);
  await db.schema.alterTable('intake_deliveries').dropColumn('cv_document_id').execute();
}
