import { createHash } from 'node:crypto';
import { type QueryCreator, type Selectable, sql } from 'kysely';
import { newId } from '../domain/ids';
import type { CvVerdict, IntakeOutcome, IntakeRef } from '../intake/rules';
import type { Db } from './db';
import { dropStagedCvs } from './documents';
import type { Database, IntakeDeliveriesTable } from './schema';

export interface StageInput {
  provider: string;
  externalId: string;
  postingId: string;
  jobId: string;
  payload: Record<string, unknown>;
  cvRequired: boolean;
  late: boolean;
  cv?: { filename: string; contentType: string; content: Buffer };
  /** What the CV's bytes are, as the webhook found when it looked. */
  cvVerdict?: CvVerdict;
}

export interface StagedDelivery extends Omit<StageInput, 'cv' | 'cvVerdict'> {
  /** `documentId`: where its bytes wait (a document of no one yet); none once finished, or when the webhook refused the file. */
  cv?: { filename: string; contentType: string; sha256: string; verdict?: CvVerdict; documentId?: string };
  /**
   * `failed`: its intake hit a fault no retry fixes; kept (CV included) for an operator to replay.
   * `skipped`: not taken in because the applicant's data was erased (reason `erased`).
   */
  state: 'received' | 'processed' | 'rejected' | 'failed' | 'skipped';
  reason?: string;
  candidateId?: string;
  applicationId?: string;
  documentId?: string;
  receivedAt: string;
  processedAt?: string;
}

/** Applications as boards delivered them, held until their intake workflow has turned them into records. */
export function createIntakeRepository(db: Db) {
  return {
    /**
     * Stages a delivery once: a repeat of the same application (same provider and id) changes nothing. Its CV's bytes
     * are stored here, once, as a document of no one yet, which the intake makes the candidate's (one statement: the
     * document only with a new delivery). A CV the webhook found unacceptable is described, its bytes not kept.
     */
    async stage(input: StageInput): Promise<{ staged: boolean }> {
      const cv = input.cv;
      const keptCv = cv && input.cvVerdict?.kind !== 'refused' ? { ...cv, documentId: newId('doc') } : undefined;
      const delivery = (qc: QueryCreator<Database>) =>
        qc
          .insertInto('intake_deliveries')
          .values({
            provider: input.provider,
            external_id: input.externalId,
            posting_id: input.postingId,
            job_id: input.jobId,
            payload: JSON.stringify(input.payload),
            cv_required: input.cvRequired,
            late: input.late,
            cv_filename: cv?.filename ?? null,
            cv_content_type: cv?.contentType ?? null,
            cv_sha256: cv ? createHash('sha256').update(cv.content).digest('hex') : null,
            cv_document_id: keptCv?.documentId ?? null,
            cv_verdict: cv && input.cvVerdict ? JSON.stringify(input.cvVerdict) : null,
          })
          .onConflict((oc) => oc.columns(['provider', 'external_id']).doNothing());
      if (!keptCv) {
        const inserted = await delivery(db).executeTakeFirst();
        return { staged: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 };
      }
      const contentType = input.cvVerdict?.kind === 'acceptable' ? input.cvVerdict.contentType : keptCv.contentType;
      const inserted = await db
        .with('staged', (qc) => delivery(qc).returning(['cv_document_id', 'cv_sha256']))
        .insertInto('documents')
        .columns(['id', 'filename', 'content_type', 'size', 'sha256', 'content'])
        .expression((eb) =>
          eb
            .selectFrom('staged')
            .select([
              'cv_document_id',
              eb.val(keptCv.filename).as('filename'),
              eb.val(contentType).as('content_type'),
              sql<number>`${keptCv.content.byteLength}::int`.as('size'),
              'cv_sha256',
              sql<Uint8Array>`${keptCv.content}::bytea`.as('content'),
            ]),
        )
        .executeTakeFirst();
      return { staged: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 };
    },

    async exists(ref: IntakeRef): Promise<boolean> {
      const row = await db
        .selectFrom('intake_deliveries')
        .select('provider')
        .where('provider', '=', ref.provider)
        .where('external_id', '=', ref.applicationId)
        .executeTakeFirst();
      return Boolean(row);
    },

    /** The staged delivery without its CV bytes (which may be megabytes: every step reads this). */
    async get(ref: IntakeRef): Promise<StagedDelivery | undefined> {
      const row = await db
        .selectFrom('intake_deliveries')
        .select(STAGED_COLUMNS)
        .where('provider', '=', ref.provider)
        .where('external_id', '=', ref.applicationId)
        .executeTakeFirst();
      return row && toStaged(row);
    },

    /** The CV's bytes (its staged document), until the delivery is finished. */
    async cvContent(ref: IntakeRef): Promise<Buffer | undefined> {
      const row = await db
        .selectFrom('intake_deliveries as i')
        .innerJoin('documents as d', 'd.id', 'i.cv_document_id')
        .select('d.content')
        .where('i.provider', '=', ref.provider)
        .where('i.external_id', '=', ref.applicationId)
        .executeTakeFirst();
      return row ? Buffer.from(row.content) : undefined;
    },

    /** Remembers what the intake made so far (a retried step finds it). */
    async note(ref: IntakeRef, made: { candidateId?: string; applicationId?: string; documentId?: string }): Promise<void> {
      const set = {
        ...(made.candidateId && { candidate_id: made.candidateId }),
        ...(made.applicationId && { application_id: made.applicationId }),
        ...(made.documentId && { document_id: made.documentId }),
      };
      if (Object.keys(set).length === 0) return;
      await db
        .updateTable('intake_deliveries')
        .set(set)
        .where('provider', '=', ref.provider)
        .where('external_id', '=', ref.applicationId)
        .execute();
    },

    /**
     * Records the outcome (with the ids it made) and drops the applicant's fields and CV (the candidate, application and document hold
     * what was taken in; a refused application keeps nothing, its staged CV deleted in the same statement): ids and the outcome stay.
     */
    async finish(ref: IntakeRef, outcome: IntakeOutcome): Promise<void> {
      await db
        .with('dropped', (qc) => dropStagedCvs(qc, unfinished(qc, ref).select('cv_document_id')))
        .updateTable('intake_deliveries')
        .set({
          state: FINISHED_STATE[outcome.outcome],
          reason: outcome.reason ?? outcome.cvNote ?? null,
          ...(outcome.candidateId && { candidate_id: outcome.candidateId }),
          ...(outcome.applicationId && { application_id: outcome.applicationId }),
          ...(outcome.documentId && { document_id: outcome.documentId }),
          payload: '{}',
          cv_filename: null,
          cv_sha256: null,
          cv_document_id: null,
          cv_verdict: null,
          processed_at: new Date(),
        })
        .where('provider', '=', ref.provider)
        .where('external_id', '=', ref.applicationId)
        .where('processed_at', 'is', null)
        .execute();
    },

    /**
     * Why the CV that came with each of these applications was not kept, by our application id, for those whose CV
     * was left out. Read by the deliveries' keys (the board's ids), which the primary key covers.
     */
    async cvNotes(applications: Array<{ id: string; provider: string; externalId: string }>): Promise<Map<string, string>> {
      if (applications.length === 0) return new Map();
      const rows = await db
        .selectFrom('intake_deliveries')
        .select(['application_id', 'reason'])
        .where('provider', 'in', [...new Set(applications.map((a) => a.provider))])
        .where(
          'external_id',
          'in',
          applications.map((a) => a.externalId),
        )
        .where('state', '=', 'processed')
        .where('reason', 'is not', null)
        .execute();
      const ids = new Set(applications.map((a) => a.id));
      return new Map(
        rows.filter((r) => r.application_id && ids.has(r.application_id)).map((r) => [r.application_id as string, r.reason as string]),
      );
    },

    /** The intake could not take it in and no retry would help: kept as it came (CV included), with the reason. */
    async fail(ref: IntakeRef, reason: string): Promise<void> {
      await db
        .updateTable('intake_deliveries')
        .set({ state: 'failed', reason: reason.slice(0, 1000) })
        .where('provider', '=', ref.provider)
        .where('external_id', '=', ref.applicationId)
        .where('processed_at', 'is', null)
        .execute();
    },

    /** A failed delivery goes back to `received`, for its workflow to run again; false when it is not failed. */
    async reopen(ref: IntakeRef): Promise<boolean> {
      const updated = await db
        .updateTable('intake_deliveries')
        .set({ state: 'received', reason: null })
        .where('provider', '=', ref.provider)
        .where('external_id', '=', ref.applicationId)
        .where('state', '=', 'failed')
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    },

    /** Deliveries in one state, newest first, without their payload: what an operator lists to replay. */
    async listByState(state: StagedDelivery['state'], limit = 50): Promise<Array<Omit<StagedDelivery, 'payload' | 'cv'>>> {
      const rows = await db
        .selectFrom('intake_deliveries')
        .select([
          'provider',
          'external_id',
          'posting_id',
          'job_id',
          'cv_required',
          'late',
          'state',
          'reason',
          'received_at',
          'processed_at',
        ])
        .where('state', '=', state)
        .orderBy('received_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        provider: r.provider,
        externalId: r.external_id,
        postingId: r.posting_id,
        jobId: r.job_id,
        cvRequired: r.cv_required,
        late: r.late,
        state: r.state as StagedDelivery['state'],
        reason: r.reason ?? undefined,
        receivedAt: r.received_at.toISOString(),
        processedAt: r.processed_at?.toISOString(),
      }));
    },

    /**
     * Retention: deliveries received before `before` and never taken in (failed and kept for replay, or never started)
     * are finished as `skipped` without the applicant's fields and CV. Returns how many.
     */
    async expireUnprocessed(before: Date): Promise<number> {
      const expiring = (qc: QueryCreator<Database>) =>
        qc.selectFrom('intake_deliveries').where('processed_at', 'is', null).where('received_at', '<', before);
      const done = await db
        .with('dropped', (qc) => dropStagedCvs(qc, expiring(qc).select('cv_document_id')))
        .updateTable('intake_deliveries')
        .set({
          state: 'skipped',
          reason: 'expired by retention',
          payload: '{}',
          cv_filename: null,
          cv_sha256: null,
          cv_document_id: null,
          processed_at: new Date(),
        })
        .where('processed_at', 'is', null)
        .where('received_at', '<', before)
        .executeTakeFirst();
      return Number(done.numUpdatedRows);
    },

    /** Deliveries staged longer than `olderThan` ago that no workflow has finished: candidates for a restart. */
    async listWaiting(olderThan: Date, limit = 100): Promise<Array<IntakeRef & { jobId: string }>> {
      const rows = await db
        .selectFrom('intake_deliveries')
        .select(['provider', 'external_id', 'job_id'])
        .where('state', '=', 'received')
        .where('received_at', '<', olderThan)
        .orderBy('received_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ provider: r.provider, applicationId: r.external_id, jobId: r.job_id }));
    },

    /** How many deliveries are in each state (tests, operators). */
    async counts(): Promise<Record<string, number>> {
      const rows = await db
        .selectFrom('intake_deliveries')
        .select(['state', db.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },
  };
}

export type IntakeRepository = ReturnType<typeof createIntakeRepository>;

const STAGED_COLUMNS = [
  'provider',
  'external_id',
  'posting_id',
  'job_id',
  'payload',
  'cv_required',
  'late',
  'cv_filename',
  'cv_content_type',
  'cv_sha256',
  'cv_verdict',
  'cv_document_id',
  'state',
  'reason',
  'candidate_id',
  'application_id',
  'document_id',
  'received_at',
  'processed_at',
] as const;

/** The delivery, while no intake has finished it. */
const unfinished = (qc: QueryCreator<Database>, ref: IntakeRef) =>
  qc
    .selectFrom('intake_deliveries')
    .where('provider', '=', ref.provider)
    .where('external_id', '=', ref.applicationId)
    .where('processed_at', 'is', null);

const FINISHED_STATE = { recorded: 'processed', rejected: 'rejected', skipped: 'skipped' } as const;

/** The outcome a finished delivery recorded, so a later run of the same application reports it again. */
export function recordedOutcome(d: StagedDelivery): IntakeOutcome | undefined {
  if (d.state === 'rejected') return { outcome: 'rejected', reason: d.reason };
  if (d.state === 'skipped') return { outcome: 'skipped', reason: d.reason };
  if (d.state === 'processed')
    return {
      outcome: 'recorded',
      candidateId: d.candidateId,
      applicationId: d.applicationId,
      documentId: d.documentId,
      late: d.late,
      ...(d.reason && { cvNote: d.reason }),
    };
  return undefined;
}

function toStaged(row: Omit<Selectable<IntakeDeliveriesTable>, 'cv_content'>): StagedDelivery {
  return {
    provider: row.provider,
    externalId: row.external_id,
    postingId: row.posting_id,
    jobId: row.job_id,
    payload: row.payload,
    cvRequired: row.cv_required,
    late: row.late,
    cv:
      row.cv_filename && row.cv_content_type && row.cv_sha256
        ? {
            filename: row.cv_filename,
            contentType: row.cv_content_type,
            sha256: row.cv_sha256,
            ...(row.cv_verdict && { verdict: row.cv_verdict }),
            ...(row.cv_document_id && { documentId: row.cv_document_id }),
          }
        : undefined,
    state: row.state as StagedDelivery['state'],
    reason: row.reason ?? undefined,
    candidateId: row.candidate_id ?? undefined,
    applicationId: row.application_id ?? undefined,
    documentId: row.document_id ?? undefined,
    receivedAt: row.received_at.toISOString(),
    processedAt: row.processed_at?.toISOString(),
  };
}
