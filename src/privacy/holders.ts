import { sql } from 'kysely';
import { boardIntake } from '../boards/registry';
import type { CandidateFields } from '../domain/candidate';
import { providers } from '../providers';
import { toApplication } from '../store/applications';
import { toCandidateFields } from '../store/candidates';
import type { Db } from '../store/db';
import { dropStagedCvs } from '../store/documents';
import type { IdentityKey, IdentityKeys } from './keys';

/** The person a subject-access export or an erasure is about. */
export interface DataSubject {
  candidateId: string;
  keys: IdentityKeys;
  /** Keyed hashes of their email and phone + surname. */
  personKeys: IdentityKey[];
  /** Whether these fields (a board's or connector's description of someone) are this person, by the match rules. */
  describes(fields: CandidateFields): boolean;
}

export interface ExportOptions {
  /** Files inline as base64 (`attached`), or as links to `GET /v1/documents/:id` (`linked`). */
  documents: 'attached' | 'linked';
}

/**
 * A place that holds candidates' personal data, with what the subject-access export and the erasure do there.
 * Every one is listed in `src/privacy/registry.ts` (a provider's own tables: its entry's `personalData`).
 */
export interface PersonalDataHolder {
  /** The export's section for it, and its name in erasure reports and the audit. */
  name: string;
  /** The tables it covers (the registry test checks that every table is covered or declared free of candidate data). */
  tables: string[];
  /** What it holds of a person, in words (the README's table). */
  holds: string;
  /** Everything it holds on the person, as the export shows it. */
  export(db: Db, subject: DataSubject, options: ExportOptions): Promise<unknown>;
  /**
   * The keyed identifiers it knows the person by (their records at providers), kept after erasure so a redelivery
   * or re-sync of those records is refused. Read before any holder erases.
   */
  identities?(tx: Db, subject: DataSubject): Promise<IdentityKey[]>;
  /** Removes the person's data inside the erasure's transaction; returns how many rows it changed or removed. */
  erase(tx: Db, subject: DataSubject): Promise<number>;
  /**
   * It also finds the person by their email or phone + surname alone (`personKeys`, `describes`), so a request by
   * identity covers what it holds of someone no candidate holds. A holder without it is asked about candidates only.
   */
  findsByIdentity?: true;
}

const iso = (d: Date | null) => d?.toISOString();

/** The candidate's own row: what remains is the tombstone (id, created, erased at and by). */
export const candidateRecord: PersonalDataHolder = {
  name: 'candidate',
  tables: ['candidates'],
  holds: 'name, email, phone, location, education, experience and web links',
  async export(db, { candidateId }) {
    const {
      deletedAt: _deleted,
      erasedAt: _erased,
      ...fields
    } = toCandidateFields(await db.selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirstOrThrow());
    return fields;
  },
  async erase(tx, { candidateId }) {
    const done = await tx
      .updateTable('candidates')
      .set({
        first_name: '',
        last_name: '',
        email: null,
        phone: null,
        location: '{}',
        education: '[]',
        experience: '[]',
        links: '{}',
        updated_at: new Date(),
      })
      .where('id', '=', candidateId)
      .executeTakeFirst();
    return Number(done.numUpdatedRows);
  },
};

/** Where the person came from: each provider's record of them. */
export const candidateSources: PersonalDataHolder = {
  name: 'sources',
  tables: ['candidate_sources'],
  holds: 'each provider record the person came through (provider, their id there, referrer, first seen)',
  async export(db, { candidateId }) {
    const rows = await db
      .selectFrom('candidate_sources')
      .selectAll()
      .where('candidate_id', '=', candidateId)
      .orderBy('first_seen_at')
      .execute();
    return rows.map((s) => ({
      provider: s.provider,
      externalId: s.external_id,
      referrer: s.referrer ?? undefined,
      firstSeenAt: iso(s.first_seen_at),
    }));
  },
  async identities(tx, { candidateId, keys }) {
    const rows = await tx
      .selectFrom('candidate_sources')
      .select(['provider', 'external_id'])
      .where('candidate_id', '=', candidateId)
      .execute();
    return rows.map((s) => keys.source(s.provider, s.external_id));
  },
  async erase(tx, { candidateId }) {
    const done = await tx.deleteFrom('candidate_sources').where('candidate_id', '=', candidateId).executeTakeFirst();
    return Number(done.numDeletedRows);
  },
};

/**
 * Applications stay, without what ties them to the person at the provider (their id there, referrer, the provider's
 * status text): a job's application counts and statuses stay whole.
 */
export const candidateApplications: PersonalDataHolder = {
  name: 'applications',
  tables: ['applications'],
  holds: 'each application: job, posting, provider and its id there, status and provider status, referrer, applied at',
  async export(db, { candidateId }) {
    const rows = await db
      .selectFrom('applications as a')
      .leftJoin('jobs as j', 'j.id', 'a.job_id')
      .selectAll('a')
      .select('j.title as job_title')
      .where('a.candidate_id', '=', candidateId)
      .orderBy('a.applied_at')
      .execute();
    return rows.map(({ job_title, ...a }) => {
      const { jobId, ...application } = toApplication(a);
      return { ...application, job: jobId ? { id: jobId, title: job_title ?? undefined } : undefined };
    });
  },
  async identities(tx, { candidateId, keys }) {
    const rows = await tx.selectFrom('applications').select(['provider', 'external_id']).where('candidate_id', '=', candidateId).execute();
    return rows.map((a) => keys.application(a.provider, a.external_id));
  },
  async erase(tx, { candidateId }) {
    const done = await tx
      .updateTable('applications')
      .set({ external_id: sql<string>`'erased:' || id`, referrer: null, provider_status: null, updated_at: new Date() })
      .where('candidate_id', '=', candidateId)
      .executeTakeFirst();
    return Number(done.numUpdatedRows);
  },
};

/** Another candidate's application carries this document: its bytes are theirs too. */
const sharedWithOthers = (db: Db, candidateId: string) =>
  db
    .selectFrom('application_documents as l')
    .innerJoin('applications as a', 'a.id', 'l.application_id')
    .select('l.document_id')
    .where('a.candidate_id', '!=', candidateId);

/** Files (CVs): deleted with the person, unless another person's application carries the same document. */
export const candidateDocuments: PersonalDataHolder = {
  name: 'documents',
  tables: ['documents', 'application_documents'],
  holds: 'files (CVs): their bytes, name, type, size, and the applications they came with',
  async export(db, { candidateId }, options) {
    const rows = await db.selectFrom('documents').selectAll().where('candidate_id', '=', candidateId).orderBy('created_at').execute();
    const links = rows.length
      ? await db
          .selectFrom('application_documents')
          .selectAll()
          .where(
            'document_id',
            'in',
            rows.map((d) => d.id),
          )
          .execute()
      : [];
    return rows.map((d) => ({
      id: d.id,
      kind: d.kind,
      filename: d.filename,
      contentType: d.content_type,
      size: d.size,
      sha256: d.sha256,
      applicationIds: links.filter((l) => l.document_id === d.id).map((l) => l.application_id),
      createdAt: iso(d.created_at),
      ...(options.documents === 'attached'
        ? { contentBase64: Buffer.from(d.content).toString('base64') }
        : { url: `/v1/documents/${d.id}` }),
    }));
  },
  async erase(tx, { candidateId }) {
    const shared = await sharedWithOthers(tx, candidateId).execute();
    const keep = shared.map((r) => r.document_id);
    let q = tx.deleteFrom('documents').where('candidate_id', '=', candidateId);
    if (keep.length > 0) q = q.where('id', 'not in', keep);
    const deleted = await q.executeTakeFirst();
    if (keep.length > 0) {
      // The other person's copy stays theirs: unlinked from this person's applications and record.
      await tx
        .deleteFrom('application_documents')
        .where('document_id', 'in', keep)
        .where('application_id', 'in', (eb) => eb.selectFrom('applications').select('id').where('candidate_id', '=', candidateId))
        .execute();
      await tx.updateTable('documents').set({ candidate_id: null, application_id: null }).where('id', 'in', keep).execute();
    }
    return Number(deleted.numDeletedRows);
  },
};

/**
 * Applications as boards delivered them: those taken in for this person, and those still waiting whose fields
 * describe them. The row stays (a redelivery of the same application then changes nothing) without its fields.
 */
export const stagedDeliveries: PersonalDataHolder = {
  name: 'deliveries',
  tables: ['intake_deliveries'],
  holds: 'applications as a board delivered them, until taken in (fields, CV bytes and name); then ids and outcome only',
  findsByIdentity: true,
  async export(db, subject) {
    const rows = await deliveriesOf(db, subject);
    return rows.map((d) => ({
      provider: d.provider,
      applicationId: d.external_id,
      postingId: d.posting_id,
      jobId: d.job_id,
      state: d.state,
      reason: d.reason ?? undefined,
      fields: Object.keys(d.payload).length > 0 ? d.payload : undefined,
      cv: d.cv_filename ? { filename: d.cv_filename, contentType: d.cv_content_type ?? undefined } : undefined,
      receivedAt: iso(d.received_at),
      processedAt: iso(d.processed_at),
    }));
  },
  async erase(tx, subject) {
    const rows = await deliveriesOf(tx, subject);
    for (const d of rows) {
      // A CV still waiting for its intake (a document of no one yet) goes too; one taken in is the candidate's documents'.
      if (d.cv_document_id) await dropStagedCvs(tx, d.cv_document_id).execute();
      await tx
        .updateTable('intake_deliveries')
        .set({
          payload: '{}',
          cv_content: null,
          cv_filename: null,
          cv_sha256: null,
          cv_document_id: null,
          // One still waiting is finished here: its workflow then finds it done and writes nothing.
          ...(d.processed_at === null && { state: 'skipped', reason: 'erased', processed_at: new Date() }),
        })
        .where('provider', '=', d.provider)
        .where('external_id', '=', d.external_id)
        .execute();
    }
    return rows.length;
  },
};

/** The person's deliveries: linked to them, or not yet taken in and describing them. */
async function deliveriesOf(db: Db, subject: DataSubject) {
  const linked = await db.selectFrom('intake_deliveries').selectAll().where('candidate_id', '=', subject.candidateId).execute();
  const waiting = await db
    .selectFrom('intake_deliveries')
    .selectAll()
    .where('processed_at', 'is', null)
    .where('candidate_id', 'is', null)
    .execute();
  const describing = waiting.filter((d) => {
    const read = boardIntake(d.provider)?.application.safeParse(d.payload);
    // A board is national: its phones are read in its country (an undeclared one: as written).
    return read?.success === true && subject.describes({ ...read.data.candidate, phoneCountry: providers[d.provider]?.phoneCountry });
  });
  return [...linked, ...describing].sort((a, b) => a.received_at.getTime() - b.received_at.getTime());
}
