import { createHash } from 'node:crypto';
import type { ExpressionBuilder, QueryCreator, SelectQueryBuilder } from 'kysely';
import { type DocumentInfo, type DocumentKind, documentKindOf } from '../domain/candidate';
import { newId } from '../domain/ids';
import type { Db } from './db';
import { StoreError, UNIQUE_VIOLATION } from './errors';
import type { Database } from './schema';

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

/** A document of no one, linked to no application: a staged delivery's CV (migration 110), until an intake takes it. */
const unclaimed = (eb: ExpressionBuilder<Database, 'documents'>) =>
  eb.and([
    eb('documents.candidate_id', 'is', null),
    eb.not(eb.exists(eb.selectFrom('application_documents as l').select('l.document_id').whereRef('l.document_id', '=', 'documents.id'))),
  ]);

/**
 * Deletes these staged CVs if still no one's: what a delivery finished without its CV (refused, skipped, erased,
 * expired) leaves behind. A document an intake has taken in stays. A statement of its own, or a step of one (`with`).
 */
export const dropStagedCvs = (
  qc: Pick<QueryCreator<Database>, 'deleteFrom'>,
  staged: string | SelectQueryBuilder<Database, 'intake_deliveries', { cv_document_id: string | null }>,
) =>
  qc
    .deleteFrom('documents')
    .where('id', typeof staged === 'string' ? '=' : 'in', staged)
    .where(unclaimed);

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
     * A staged delivery's CV (stored as a document of no one when it was staged, `intake.stage`) made the candidate's and
     * linked to the application, its bytes not written again; when the candidate already holds the same file (by
     * sha256) that one is linked and the staged one dropped. Done again, it finds its work done. Undefined when
     * neither is there (the staged CV was erased meanwhile). Refused (GoneError) for a candidate erased meanwhile.
     */
    async takeStagedCv(
      staged: { documentId: string; sha256: string },
      input: { candidateId: string; applicationId: string; contentType: string },
    ): Promise<DocumentInfo | undefined> {
      const held = () =>
        db
          .selectFrom('documents')
          .select(INFO_COLUMNS)
          .where('candidate_id', '=', input.candidateId)
          .where('sha256', '=', staged.sha256)
          .executeTakeFirst();
      const taken = await db
        .updateTable('documents')
        .set({ candidate_id: input.candidateId, application_id: input.applicationId, content_type: input.contentType })
        .where('id', '=', staged.documentId)
        .where(unclaimed)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('documents as d')
                .select('d.id')
                .where('d.candidate_id', '=', input.candidateId)
                .where('d.sha256', '=', staged.sha256),
            ),
          ),
        )
        .returning(INFO_COLUMNS)
        .executeTakeFirst()
        // Another intake of this person gave them the same file just now (PostgreSQL): theirs is the one kept.
        .catch((err: unknown) => (err instanceof StoreError && err.code === UNIQUE_VIOLATION ? undefined : Promise.reject(err)));
      const row = taken ?? (await held());
      if (!row) return undefined;
      if (row.id !== staged.documentId) await dropStagedCvs(db, staged.documentId).execute();
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

    /** A file, unless it is a staged CV no intake has taken in yet (those are invisible, as their deliveries are). */
    async get(id: string): Promise<(DocumentInfo & { content: Uint8Array; candidateId?: string }) | undefined> {
      const row = await db
        .selectFrom('documents')
        .selectAll()
        .where('id', '=', id)
        .where((eb) => eb.not(unclaimed(eb)))
        .executeTakeFirst();
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
