import { type Selectable, sql } from 'kysely';
import { type Candidate, type CandidateFields, foldSurname, normaliseEmail } from '../domain/candidate';
import { newId } from '../domain/ids';
import { normalisePhone, phoneForms } from '../domain/phone';
import { decideErased, type ErasedReapply } from '../privacy/rules';
import { type BatchCandidateInput, upsertCandidates } from './candidates-batch';
import type { Db } from './db';
import { toDocumentInfo } from './documents';
import type { ErasedRepository } from './erased';
import { anyOf } from './json-rows';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { CandidatesTable } from './schema';

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
  /** The provider's ids of the applications this record brings (an erased person returns only with a new one). */
  applicationIds?: string[];
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface UpsertCandidateResult {
  candidateId?: string;
  outcome: UpsertOutcome;
  /** Why a record was skipped: a person we do not hold (createIfUnknown false), or one whose data was erased. */
  reason?: 'unknown' | 'erased';
  /** Created again after an erasure, because they applied again (ERASED_REAPPLY=recreate). */
  returned?: boolean;
}

/** The advisory lock a write of this person takes: the same person is written (or erased) by one transaction at a time. */
export function personLockKey(
  fields: Pick<CandidateFields, 'email' | 'phone' | 'lastName' | 'phoneCountry'>,
  source?: Omit<SourceRef, 'referrer'>,
) {
  const email = normaliseEmail(fields.email);
  const phone = normalisePhone(fields.phone, fields.phoneCountry);
  if (email) return email;
  if (phone) return `${phone}:${foldSurname(fields.lastName)}`;
  return source && `${source.provider}:${source.externalId}`;
}

/** Whom `underPhones` looks for. */
export interface PhoneLookup {
  /** Only people with no email (two different email addresses are two people, whatever their phone says). */
  withoutEmail: boolean;
  /** Also people deleted at every source (a request by identity finds them; the intake matches only live ones). */
  deletedAtSource: boolean;
}

/**
 * The one lookup of "candidates under these phones whose surname folds to this", as a query: unerased candidates held under
 * any of these phones (`phoneForms`: today's form and the one written before phones were read in their source's country,
 * so rows stored then are found without a migration and take today's form on their next write), oldest first. The
 * surname is compared on its rows by `ofSurname`, never by SQL `lower()`, which folds only ASCII on a C-locale database;
 * the phone index narrows the rows. A query, so the intake can run it inside its one statement.
 */
export function underPhones(db: Db, phones: string[], lookup: PhoneLookup) {
  return db
    .selectFrom('candidates')
    .select(['id', 'last_name', 'created_at', 'deleted_at'])
    .where('phone', '=', anyOf(phones))
    .where('erased_at', 'is', null)
    .$if(lookup.withoutEmail, (q) => q.where('email', 'is', null))
    .$if(!lookup.deletedAtSource, (q) => q.where('deleted_at', 'is', null))
    .orderBy('created_at')
    .orderBy('id');
}

/** The rows of `underPhones` whose surname folds to `surname` (see `foldSurname`), in their order. */
export const ofSurname = <R extends { last_name: string }>(rows: R[], surname: string) =>
  rows.filter((r) => foldSurname(r.last_name) === surname);

/** `underPhones` run on its own, its rows of this surname. */
export async function heldByPhoneAndSurname(db: Db, phones: string[], surname: string, lookup: PhoneLookup) {
  if (phones.length === 0) return [];
  return ofSurname(await underPhones(db, phones, lookup).execute(), surname);
}

export async function lockPerson(tx: Db, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(tx);
}

/** Candidates: people, each with every source they came through; matched across sources by the rules given. */
export function createCandidatesRepository(db: Db, erased: ErasedRepository, reapply: ErasedReapply) {
  return {
    /**
     * Finds the person (by source, then by the match rules), creates or updates them with only the
     * fields given (never blanking what we hold), and records the source. Serialised per person by
     * an advisory lock, so concurrent deliveries of the same person make one candidate. A person whose
     * data was erased is not written again (see `decideErased`).
     */
    async upsertFromSource(input: UpsertCandidateInput): Promise<UpsertCandidateResult> {
      const email = normaliseEmail(input.fields.email);
      const phone = normalisePhone(input.fields.phone, input.fields.phoneCountry);
      const surname = foldSurname(input.fields.lastName);
      return db.transaction().execute(async (tx) => {
        await lockPerson(tx, personLockKey(input.fields, input.source) as string);
        const [wasErased] = await erased.screen(
          [
            {
              provider: input.source.provider,
              sourceId: input.source.externalId,
              applicationIds: input.applicationIds ?? [],
              fields: input.fields,
              matchBy: input.matchBy,
            },
          ],
          tx,
        );
        // The source's own person, else the first rule that matches, in order: every lookup in one statement (the
        // transaction holds PGlite's one connection, so a statement more is a wait more for the webhook's answers).
        // The phone's candidates come as json with their surnames, folded here (see underPhones).
        const forms =
          phone && surname && input.matchBy.includes('phone+surname') ? phoneForms(input.fields.phone, input.fields.phoneCountry) : [];
        const byPhone = underPhones(tx, forms, { withoutEmail: Boolean(email), deletedAtSource: false }).as('c');
        const found = await tx
          .selectNoFrom((eb) => [
            eb
              .selectFrom('candidate_sources')
              .select('candidate_id')
              .where('provider', '=', input.source.provider)
              .where('external_id', '=', input.source.externalId)
              .as('source'),
            eb
              .selectFrom('candidates')
              .select('id')
              .where('email', '=', email ?? null)
              .where('deleted_at', 'is', null)
              .where('erased_at', 'is', null)
              .orderBy('created_at')
              .limit(1)
              .as('email'),
            eb
              .selectFrom(byPhone)
              .select(
                sql<Array<{
                  id: string;
                  last_name: string;
                }> | null>`json_agg(json_build_object('id', c.id, 'last_name', c.last_name) order by c.created_at, c.id)`.as('rows'),
              )
              .as('byPhone'),
          ])
          .executeTakeFirstOrThrow();
        let id = found.source ?? undefined;
        for (const rule of input.matchBy) {
          if (id) break;
          if (rule === 'email') id = found.email ?? undefined;
          else if (surname) id = ofSurname(found.byPhone ?? [], surname)[0]?.id;
        }
        const verdict = decideErased(wasErased, {
          liveCandidate: id !== undefined,
          newApplications: input.applicationIds?.length ?? 0,
          reapply,
        });
        if (verdict === 'refuse') return { outcome: 'skipped' as const, reason: 'erased' as const };
        let outcome: UpsertOutcome;
        if (!id) {
          if (!input.createIfUnknown) return { outcome: 'skipped' as const, reason: 'unknown' as const };
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
              links: JSON.stringify(compact(input.fields.links ?? {})),
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
        // A source found gone earlier and seen again is live again (and so is its person).
        const added = await tx
          .insertInto('candidate_sources')
          .values({
            candidate_id: id,
            provider: input.source.provider,
            external_id: input.source.externalId,
            referrer: input.source.referrer ?? null,
          })
          .onConflict((oc) =>
            oc.columns(['provider', 'external_id']).doUpdateSet({ deleted_at: null }).where('candidate_sources.deleted_at', 'is not', null),
          )
          .executeTakeFirst();
        if (outcome !== 'created' && Number(added.numInsertedOrUpdatedRows ?? 0) > 0) {
          await tx.updateTable('candidates').set({ deleted_at: null }).where('id', '=', id).where('deleted_at', 'is not', null).execute();
        }
        if (outcome === 'unchanged' && Number(added.numInsertedOrUpdatedRows ?? 0) > 0) outcome = 'updated';
        return { candidateId: id, outcome, ...(verdict === 'recreate' && { returned: true }) };
      });
    },

    /**
     * Many people at once inside the caller's transaction, each by the rules of `upsertFromSource` with matching by
     * email, in order (a person later in the batch sees what the earlier ones wrote); one result per input.
     */
    upsertMany(inputs: BatchCandidateInput[], tx: Db): Promise<UpsertCandidateResult[]> {
      return upsertCandidates(tx, erased, reapply, inputs);
    },

    /**
     * People gone from a source: the source is marked deleted, and a person with no live source left is marked
     * deleted too (kept, never removed). The ids of the people whose source was marked.
     */
    async markSourcesGone(provider: string, externalIds: string[]): Promise<string[]> {
      if (externalIds.length === 0) return [];
      return db.transaction().execute(async (tx) => {
        const gone = await tx
          .updateTable('candidate_sources')
          .set({ deleted_at: new Date() })
          .where('provider', '=', provider)
          .where('external_id', 'in', externalIds)
          .where('deleted_at', 'is', null)
          .returning('candidate_id')
          .execute();
        if (gone.length === 0) return [];
        await tx
          .updateTable('candidates')
          .set({ deleted_at: new Date(), updated_at: new Date() })
          .where(
            'id',
            'in',
            gone.map((g) => g.candidate_id),
          )
          .where('deleted_at', 'is', null)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('candidate_sources as s')
                  .select('s.candidate_id')
                  .whereRef('s.candidate_id', '=', 'candidates.id')
                  .where('s.deleted_at', 'is', null),
              ),
            ),
          )
          .execute();
        return gone.map((g) => g.candidate_id);
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
      let q = newestFirst(db.selectFrom('candidates').selectAll().where('erased_at', 'is', null), filter, limit);
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
  };
}

export type CandidatesRepository = ReturnType<typeof createCandidatesRepository>;

/** Only non-empty values that differ from what we hold; location and links merge key by key. */
export function changedColumns(current: Selectable<CandidatesTable>, fields: CandidateFields) {
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
  const links = { ...current.links, ...compact(fields.links ?? {}) };
  if (!sameJson(links, current.links)) changes.links = JSON.stringify(links);
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

export function compact<T extends object>(value: T): Partial<T> {
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
      .select(['id', 'candidate_id', 'kind', 'filename', 'content_type', 'size', 'sha256'])
      .where('candidate_id', 'in', ids)
      .orderBy('created_at')
      .execute(),
  ]);
  return rows.map((r) => ({
    ...toCandidateFields(r),
    sources: sources
      .filter((s) => s.candidate_id === r.id)
      .map((s) => ({
        provider: s.provider,
        externalId: s.external_id,
        referrer: s.referrer ?? undefined,
        firstSeenAt: s.first_seen_at.toISOString(),
        deletedAt: s.deleted_at?.toISOString(),
      })),
    documents: documents.filter((d) => d.candidate_id === r.id).map(toDocumentInfo),
  }));
}

/** The candidate's own row as the domain names it (without sources and documents). */
export function toCandidateFields(r: Selectable<CandidatesTable>): Omit<Candidate, 'sources' | 'documents'> {
  return {
    id: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email ?? undefined,
    phone: r.phone ?? undefined,
    location: r.location,
    education: r.education,
    experience: r.experience,
    links: Object.keys(r.links).length > 0 ? r.links : undefined,
    deletedAt: r.deleted_at?.toISOString(),
    erasedAt: r.erased_at?.toISOString(),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
