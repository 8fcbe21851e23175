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

  await sql`create trigger documents_refuse_erased_update after update on documents
            referencing new table as inserted
            for each statement execute function refuse_erased_candidates()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger documents_refuse_erased_update on documents`.execute(db);
  await sql`update intake_deliveries i set cv_content = d.content
            from documents d where d.id = i.cv_document_id and d.candidate_id is null`.execute(db);
  await sql`delete from documents d using intake_deliveries i where d.id = i.cv_document_id and d.candidate_id is null`.execute(db);
  await db.schema.alterTable('intake_deliveries').dropColumn('cv_document_id').execute();
}
