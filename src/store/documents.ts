import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { type DocumentInfo, type DocumentKind, documentKindOf } from '../domain/candidate';
import { newId } from '../domain/ids';
import type { Db } from './db';

export interface DocumentInput {
  candidateId: string;
  applicationId?: string;
  /** Default: `cv`. */
  kind?: DocumentKind;
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** Candidates' files (CVs): stored once per candidate and content, linked to the applications they came with. */
const INFO_COLUMNS = ['id', 'kind', 'filename', 'content_type', 'size', 'sha256'] as const;

export const toDocumentInfo = (row: {
  id: string;
  kind: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
}): DocumentInfo => ({
  id: row.id,
  kind: documentKindOf(row.kind),
  filename: row.filename,
  contentType: row.content_type,
  size: row.size,
  sha256: row.sha256,
});

export function createDocumentsRepository(db: Db) {
  const linkToApplication = (applicationId: string, documentId: string) =>
    db
      .insertInto('application_documents')
      .values({ application_id: applicationId, document_id: documentId })
      .onConflict((oc) => oc.columns(['application_id', 'document_id']).doNothing())
      .execute();

  return {
    /** Stores a file once per candidate (deduped on its sha256); refuses (GoneError) one of a candidate whose data was erased. */
    async put(input: DocumentInput): Promise<{ document: DocumentInfo; created: boolean }> {
      const sha256 = createHash('sha256').update(input.content).digest('hex');
      const inserted = await db
        .insertInto('documents')
        .values({
          id: newId('doc'),
          candidate_id: input.candidateId,
          application_id: input.applicationId ?? null,
          kind: input.kind ?? 'cv',
          filename: input.filename,
          content_type: input.contentType,
          size: input.content.byteLength,
          sha256,
          content: input.content,
        })
        .onConflict((oc) => oc.columns(['candidate_id', 'sha256']).doNothing())
        .returning(INFO_COLUMNS)
        .executeTakeFirst();
      const row =
        inserted ??
        (await db
          .selectFrom('documents')
          .select(INFO_COLUMNS)
          .where('candidate_id', '=', input.candidateId)
          .where('sha256', '=', sha256)
          .executeTakeFirstOrThrow());
      if (input.applicationId) await linkToApplication(input.applicationId, row.id);
      return {
        document: toDocumentInfo(row),
        created: Boolean(inserted),
      };
    },

    /**
     * A staged delivery's CV as the candidate's document, copied inside the database (the bytes, often hundreds of
     * kilobytes, never travel back through the process); once per candidate and file, linked to the application.
     * Undefined when the delivery holds no CV bytes any more.
     */
    async putStagedCv(
      staged: { provider: string; externalId: string },
      input: { candidateId: string; applicationId: string; contentType: string },
    ): Promise<DocumentInfo | undefined> {
      const fromStaged = db
        .selectFrom('intake_deliveries')
        .where('provider', '=', staged.provider)
        .where('external_id', '=', staged.externalId)
        .where('cv_content', 'is not', null);
      const inserted = await db
        .insertInto('documents')
        .columns(['id', 'candidate_id', 'application_id', 'kind', 'filename', 'content_type', 'size', 'sha256', 'content'])
        .expression(
          fromStaged.select((eb) => [
            eb.val(newId('doc')).as('id'),
            eb.val(input.candidateId).as('candidate_id'),
            eb.val(input.applicationId).as('application_id'),
            eb.val('cv').as('kind'),
            'cv_filename',
            eb.val(input.contentType).as('content_type'),
            sql<number>`octet_length(cv_content)`.as('size'),
            'cv_sha256',
            'cv_content',
          ]),
        )
        .onConflict((oc) => oc.columns(['candidate_id', 'sha256']).doNothing())
        .returning(INFO_COLUMNS)
        .executeTakeFirst();
      const row =
        inserted ??
        (await db
          .selectFrom('documents')
          .select(INFO_COLUMNS)
          .where('candidate_id', '=', input.candidateId)
          .where('sha256', '=', fromStaged.select('cv_sha256'))
          .executeTakeFirst());
      if (!row) return undefined;
      await linkToApplication(input.applicationId, row.id);
      return toDocumentInfo(row);
    },

    /** The files stored with each of these applications. */
    async ofApplications(applicationIds: string[]): Promise<Array<DocumentInfo & { applicationId: string }>> {
      if (applicationIds.length === 0) return [];
      const rows = await db
        .selectFrom('application_documents as l')
        .innerJoin('documents as d', 'd.id', 'l.document_id')
        .select(['d.id', 'l.application_id', 'd.kind', 'd.filename', 'd.content_type', 'd.size', 'd.sha256'])
        .where('l.application_id', 'in', applicationIds)
        .orderBy('d.created_at')
        .execute();
      return rows.map((d) => ({ ...toDocumentInfo(d), applicationId: d.application_id }));
    },

    async get(id: string): Promise<(DocumentInfo & { content: Uint8Array; candidateId?: string }) | undefined> {
      const row = await db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return {
        ...toDocumentInfo(row),
        content: row.content,
        candidateId: row.candidate_id ?? undefined,
      };
    },
  };
}

export type DocumentsRepository = ReturnType<typeof createDocumentsRepository>;
