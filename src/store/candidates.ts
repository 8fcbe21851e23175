import { createHash } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import {
  type Application,
  type Candidate,
  type CandidateFields,
  type DocumentInfo,
  normaliseEmail,
  normalisePhone,
} from '../domain/candidate';
import { newId } from '../domain/ids';
import type { Db } from './db';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { ApplicationsTable, CandidatesTable } from './schema';

export type MatchRule = 'email' | 'phone+surname';

export interface SourceRef {
  provider: string;
  externalId: string;
  referrer?: string;
}

export interface UpsertCandidateInput {
  source: SourceRef;
  fields: CandidateFields;
  /** How to find the same person already held under another source, in order. */
  matchBy: MatchRule[];
  /** false: a person we do not hold yet is skipped, not created. */
  createIfUnknown: boolean;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface ApplicationInput {
  candidateId: string;
  provider: string;
  externalId: string;
  jobId?: string;
  postingId?: string;
  status: string;
  providerStatus?: string;
  referrer?: string;
  appliedAt: string;
  late?: boolean;
}

export interface DocumentInput {
  candidateId: string;
  applicationId?: string;
  kind?: string;
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export function createCandidatesRepository(db: Db) {
  const repo = {
    /**
     * Finds the person (by source, then by the match rules), creates or updates them with only the
     * fields given (never blanking what we hold), and records the source. Serialised per person by
     * an advisory lock, so concurrent deliveries of the same person make one candidate.
     */
    async upsertFromSource(input: UpsertCandidateInput): Promise<{ candidateId?: string; outcome: UpsertOutcome }> {
      const email = normaliseEmail(input.fields.email);
      const phone = normalisePhone(input.fields.phone);
      const lockKey =
        email ?? (phone ? `${phone}:${input.fields.lastName?.toLowerCase()}` : `${input.source.provider}:${input.source.externalId}`);
      return db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`.execute(tx);
        let id = (
          await tx
            .selectFrom('candidate_sources')
            .select('candidate_id')
            .where('provider', '=', input.source.provider)
            .where('external_id', '=', input.source.externalId)
            .executeTakeFirst()
        )?.candidate_id;
        for (const rule of input.matchBy) {
          if (id) break;
          let q = tx.selectFrom('candidates').select('id').where('deleted_at', 'is', null).orderBy('created_at').limit(1);
          if (rule === 'email' && email) q = q.where('email', '=', email);
          else if (rule === 'phone+surname' && phone && input.fields.lastName) {
            q = q.where('phone', '=', phone).where(sql`lower(last_name)`, '=', input.fields.lastName.trim().toLowerCase());
            // Two different email addresses are two people, whatever their phone says.
            if (email) q = q.where('email', 'is', null);
          } else continue;
          id = (await q.executeTakeFirst())?.id;
        }
        let outcome: UpsertOutcome;
        if (!id) {
          if (!input.createIfUnknown) return { outcome: 'skipped' as const };
          id = newId('cand');
          await tx
            .insertInto('candidates')
            .values({
              id,
              first_name: input.fields.firstName?.trim() ?? '',
              last_name: input.fields.lastName?.trim() ?? '',
              email: email ?? null,
              phone: phone ?? null,
              location: JSON.stringify(compact(input.fields.location ?? {})),
              education: JSON.stringify(input.fields.education ?? []),
              experience: JSON.stringify(input.fields.experience ?? []),
            })
            .execute();
          outcome = 'created';
        } else {
          const current = await tx.selectFrom('candidates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          const changes = changedColumns(current, { ...input.fields, email, phone });
          if (Object.keys(changes).length > 0) {
            await tx
              .updateTable('candidates')
              .set({ ...changes, updated_at: new Date() })
              .where('id', '=', id)
              .execute();
            outcome = 'updated';
          } else outcome = 'unchanged';
        }
        const added = await tx
          .insertInto('candidate_sources')
          .values({
            candidate_id: id,
            provider: input.source.provider,
            external_id: input.source.externalId,
            referrer: input.source.referrer ?? null,
          })
          .onConflict((oc) => oc.columns(['provider', 'external_id']).doNothing())
          .executeTakeFirst();
        if (outcome === 'unchanged' && Number(added.numInsertedOrUpdatedRows ?? 0) > 0) outcome = 'updated';
        return { candidateId: id, outcome };
      });
    },

    async get(id: string): Promise<Candidate | undefined> {
      const row = await db.selectFrom('candidates').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const [withDetails] = await withSourcesAndDocuments(db, [row]);
      return withDetails;
    },

    async list(filter: PageRequest & { provider?: string; since?: string; jobId?: string }): Promise<Page<Candidate>> {
      const limit = filter.limit ?? 50;
      let q = newestFirst(db.selectFrom('candidates').selectAll(), filter, limit);
      if (filter.since) q = q.where('updated_at', '>=', new Date(filter.since));
      if (filter.provider) {
        const provider = filter.provider;
        q = q.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('candidate_sources as s')
              .select('s.candidate_id')
              .whereRef('s.candidate_id', '=', 'candidates.id')
              .where('s.provider', '=', provider),
          ),
        );
      }
      if (filter.jobId) {
        const jobId = filter.jobId;
        q = q.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('applications as a').select('a.id').whereRef('a.candidate_id', '=', 'candidates.id').where('a.job_id', '=', jobId),
          ),
        );
      }
      const rows = await q.execute();
      const page = pageOf(rows, limit, (r) => r);
      return { items: await withSourcesAndDocuments(db, page.items), nextCursor: page.nextCursor };
    },

    /** Creates the application once per (provider, externalId); a repeat updates only its status fields. */
    async upsertApplication(input: ApplicationInput): Promise<{ application: Application; outcome: UpsertOutcome }> {
      const existing = await db
        .selectFrom('applications')
        .selectAll()
        .where('provider', '=', input.provider)
        .where('external_id', '=', input.externalId)
        .executeTakeFirst();
      if (existing) {
        const changed = existing.status !== input.status || (existing.provider_status ?? undefined) !== input.providerStatus;
        if (!changed) return { application: toApplication(existing), outcome: 'unchanged' };
        const row = await db
          .updateTable('applications')
          .set({ status: input.status, provider_status: input.providerStatus ?? null, updated_at: new Date() })
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { application: toApplication(row), outcome: 'updated' };
      }
      const inserted = await db
        .insertInto('applications')
        .values({
          id: newId('app'),
          candidate_id: input.candidateId,
          job_id: input.jobId ?? null,
          posting_id: input.postingId ?? null,
          provider: input.provider,
          external_id: input.externalId,
          status: input.status,
          provider_status: input.providerStatus ?? null,
          referrer: input.referrer ?? null,
          applied_at: input.appliedAt,
          late: input.late ?? false,
        })
        .onConflict((oc) => oc.columns(['provider', 'external_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { application: toApplication(inserted), outcome: 'created' };
      // Lost a race with a concurrent insert of the same application: it is there now.
      return repo.upsertApplication(input);
    },

    async listApplications(
      filter: PageRequest & { jobId?: string; provider?: string; since?: string; candidateId?: string },
    ): Promise<Page<Application>> {
      const limit = filter.limit ?? 50;
      let q = newestFirst(db.selectFrom('applications').selectAll(), filter, limit);
      if (filter.jobId) q = q.where('job_id', '=', filter.jobId);
      if (filter.provider) q = q.where('provider', '=', filter.provider);
      if (filter.candidateId) q = q.where('candidate_id', '=', filter.candidateId);
      if (filter.since) q = q.where('updated_at', '>=', new Date(filter.since));
      return pageOf(await q.execute(), limit, toApplication);
    },

    /** Stores a file once per candidate (deduped on its sha256). */
    async putDocument(input: DocumentInput): Promise<{ document: DocumentInfo; created: boolean }> {
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
        .returning(['id', 'filename', 'content_type', 'size', 'sha256'])
        .executeTakeFirst();
      const row =
        inserted ??
        (await db
          .selectFrom('documents')
          .select(['id', 'filename', 'content_type', 'size', 'sha256'])
          .where('candidate_id', '=', input.candidateId)
          .where('sha256', '=', sha256)
          .executeTakeFirstOrThrow());
      if (input.applicationId) {
        await db
          .insertInto('application_documents')
          .values({ application_id: input.applicationId, document_id: row.id })
          .onConflict((oc) => oc.columns(['application_id', 'document_id']).doNothing())
          .execute();
      }
      return {
        document: { id: row.id, filename: row.filename, contentType: row.content_type, size: row.size, sha256: row.sha256 },
        created: Boolean(inserted),
      };
    },

    /** The files stored with each of these applications. */
    async documentsOfApplications(applicationIds: string[]): Promise<Array<DocumentInfo & { applicationId: string }>> {
      if (applicationIds.length === 0) return [];
      const rows = await db
        .selectFrom('application_documents as l')
        .innerJoin('documents as d', 'd.id', 'l.document_id')
        .select(['d.id', 'l.application_id', 'd.filename', 'd.content_type', 'd.size', 'd.sha256'])
        .where('l.application_id', 'in', applicationIds)
        .orderBy('d.created_at')
        .execute();
      return rows.map((d) => ({
        id: d.id,
        applicationId: d.application_id,
        filename: d.filename,
        contentType: d.content_type,
        size: d.size,
        sha256: d.sha256,
      }));
    },

    async getDocument(id: string): Promise<(DocumentInfo & { content: Uint8Array; candidateId?: string }) | undefined> {
      const row = await db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        filename: row.filename,
        contentType: row.content_type,
        size: row.size,
        sha256: row.sha256,
        content: row.content,
        candidateId: row.candidate_id ?? undefined,
      };
    },
  };
  return repo;
}

export type CandidatesRepository = ReturnType<typeof createCandidatesRepository>;

/** Only non-empty values that differ from what we hold; location merges key by key. */
function changedColumns(current: Selectable<CandidatesTable>, fields: CandidateFields) {
  const changes: Record<string, string> = {};
  const text = (column: 'first_name' | 'last_name' | 'email' | 'phone', value?: string) => {
    const v = value?.trim();
    if (v && v !== current[column]) changes[column] = v;
  };
  text('first_name', fields.firstName);
  text('last_name', fields.lastName);
  text('email', fields.email);
  text('phone', fields.phone);
  const location = { ...current.location, ...compact(fields.location ?? {}) };
  if (!sameJson(location, current.location)) changes.location = JSON.stringify(location);
  for (const key of ['education', 'experience'] as const) {
    const value = fields[key];
    if (value && value.length > 0 && !sameJson(value, current[key])) changes[key] = JSON.stringify(value);
  }
  return changes;
}

/** Equal as JSON whatever the key order: jsonb hands objects back with its own key order, not the one written. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown) =>
    JSON.stringify(value, (_key, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
        : v,
    );
  return canonical(a) === canonical(b);
}

function compact<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => typeof v === 'string' && v.trim() !== '')
      .map(([k, v]) => [k, v.trim()]),
  ) as Partial<T>;
}

async function withSourcesAndDocuments(db: Db, rows: Array<Selectable<CandidatesTable>>): Promise<Candidate[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [sources, documents] = await Promise.all([
    db.selectFrom('candidate_sources').selectAll().where('candidate_id', 'in', ids).orderBy('first_seen_at').execute(),
    db
      .selectFrom('documents')
      .select(['id', 'candidate_id', 'filename', 'content_type', 'size', 'sha256'])
      .where('candidate_id', 'in', ids)
      .orderBy('created_at')
      .execute(),
  ]);
  return rows.map((r) => ({
    id: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email ?? undefined,
    phone: r.phone ?? undefined,
    location: r.location,
    education: r.education,
    experience: r.experience,
    sources: sources
      .filter((s) => s.candidate_id === r.id)
      .map((s) => ({
        provider: s.provider,
        externalId: s.external_id,
        referrer: s.referrer ?? undefined,
        firstSeenAt: s.first_seen_at.toISOString(),
      })),
    documents: documents
      .filter((d) => d.candidate_id === r.id)
      .map((d) => ({ id: d.id, filename: d.filename, contentType: d.content_type, size: d.size, sha256: d.sha256 })),
    deletedAt: r.deleted_at?.toISOString(),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }));
}

function toApplication(row: Selectable<ApplicationsTable>): Application {
  return {
    id: row.id,
    candidateId: row.candidate_id,
    jobId: row.job_id ?? undefined,
    postingId: row.posting_id ?? undefined,
    provider: row.provider,
    externalId: row.external_id,
    status: row.status,
    providerStatus: row.provider_status ?? undefined,
    referrer: row.referrer ?? undefined,
    appliedAt: row.applied_at.toISOString(),
    late: row.late,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
