import { type Kysely, sql } from 'kysely';

/**
 * A file is stored once per candidate, but more than one application may carry it (the same CV sent to two
 * jobs): the link between applications and documents is its own table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('application_documents')
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('application_documents_pk', ['application_id', 'document_id'])
    .execute();
  await sql`insert into application_documents (application_id, document_id)
            select d.application_id, d.id from documents d join applications a on a.id = d.application_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('application_documents').execute();
}
