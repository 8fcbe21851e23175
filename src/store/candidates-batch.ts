import { type Selectable, sql } from 'kysely';
import { normaliseEmail } from '../domain/candidate';
import { newId } from '../domain/ids';
import { normalisePhone } from '../domain/phone';
import { decideErased, type ErasedReapply } from '../privacy/rules';
import { changedColumns, compact, personLockKey, type UpsertCandidateInput, type UpsertCandidateResult } from './candidates';
import type { Db } from './db';
import { type ErasedRepository, erasedError } from './erased';
import { anyOf, columnsOf, jsonRows } from './json-rows';
import type { CandidatesTable } from './schema';

// Many people written at once (a sync page), with the rules of `upsertFromSource` for each in order, in a few
// statements: one lock statement, one erasure screen, one lookup by source and one by email, one upsert of the
// candidates and one of their sources. A person later in the batch sees what the earlier ones wrote (the same
// person twice, a new person's email), exactly as if they were written one after another.

/** A person of a batch: matched by source, then by email (the sync engine's rule). */
export type BatchCandidateInput = Omit<UpsertCandidateInput, 'matchBy'>;

type Row = Selectable<CandidatesTable>;

/**
 * Takes every person's lock in one statement, in the order the erasure takes its own (sorted keys), so a batch and
 * an erasure never wait for each other in a circle.
 */
export async function lockPeople(tx: Db, keys: string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await sql`select pg_advisory_xact_lock(hashtext(k)) from unnest(${sorted}::text[]) with ordinality as t(k, n) order by n`.execute(tx);
}

/** Writes the batch inside `tx` (the caller's transaction); one result per input, in order. */
export async function upsertCandidates(
  tx: Db,
  erased: ErasedRepository,
  reapply: ErasedReapply,
  inputs: BatchCandidateInput[],
): Promise<UpsertCandidateResult[]> {
  if (inputs.length === 0) return [];
  await lockPeople(
    tx,
    inputs.map((i) => personLockKey(i.fields, i.source) as string),
  );
  const screened = await erased.screen(
    inputs.map((i) => ({
      provider: i.source.provider,
      sourceId: i.source.externalId,
      applicationIds: i.applicationIds ?? [],
      fields: i.fields,
      matchBy: ['email'],
    })),
    tx,
  );
  const held = await HeldPeople.load(tx, inputs);
  const results = inputs.map((input, i) => held.write(input, screened[i], reapply));
  await held.save(tx);
  return results;
}

/** `changedColumns` gives the JSON columns as text, to be written: parsed back, for the row held in memory. */
function parsedChanges(changes: Record<string, string>): Partial<Row> {
  const json = new Set(['location', 'links', 'education', 'experience']);
  return Object.fromEntries(Object.entries(changes).map(([column, value]) => [column, json.has(column) ? JSON.parse(value) : value]));
}

/** The columns a batch writes, as its JSON rows carry them. */
const CANDIDATE_ROW = {
  id: 'text',
  first_name: 'text',
  last_name: 'text',
  email: 'text',
  phone: 'text',
  location: 'jsonb',
  education: 'jsonb',
  experience: 'jsonb',
  links: 'jsonb',
  deleted_at: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
} as const;
const SOURCE_ROW = { candidate_id: 'text', provider: 'text', external_id: 'text', referrer: 'text' } as const;

const sourceKey = (s: { provider: string; externalId: string }) => `${s.provider}\u0000${s.externalId}`;

/** The candidates and sources the batch may touch, as the batch has left them so far (in memory until `save`). */
class HeldPeople {
  private readonly rows = new Map<string, Row>();
  /** Candidate ids by email (any candidate whose row once carried it; `byEmail` checks it still does). */
  private readonly withEmail = new Map<string, Set<string>>();
  /** Source → candidate, and whether the source is live. */
  private readonly sources = new Map<string, { candidateId: string; live: boolean }>();
  private readonly created = new Set<string>();
  private readonly changed = new Set<string>();
  private readonly sourcesAdded = new Map<
    string,
    { candidate_id: string; provider: string; external_id: string; referrer: string | null }
  >();

  static async load(tx: Db, inputs: BatchCandidateInput[]): Promise<HeldPeople> {
    const held = new HeldPeople();
    const byProvider = new Map<string, string[]>();
    for (const { source } of inputs) byProvider.set(source.provider, [...(byProvider.get(source.provider) ?? []), source.externalId]);
    const sources = await tx
      .selectFrom('candidate_sources')
      .select(['candidate_id', 'provider', 'external_id', 'deleted_at'])
      .where((eb) =>
        eb.or([...byProvider].map(([provider, ids]) => eb.and([eb('provider', '=', provider), eb('external_id', '=', anyOf(ids))]))),
      )
      .execute();
    for (const s of sources)
      held.sources.set(sourceKey({ provider: s.provider, externalId: s.external_id }), {
        candidateId: s.candidate_id,
        live: s.deleted_at === null,
      });
    const emails = [...new Set(inputs.map((i) => normaliseEmail(i.fields.email)).filter((e): e is string => e !== undefined))];
    const ids = [...new Set(sources.map((s) => s.candidate_id))];
    if (emails.length || ids.length) {
      const rows = await tx
        .selectFrom('candidates')
        .selectAll()
        .where((eb) =>
          eb.or([
            ...(ids.length ? [eb('id', '=', anyOf(ids))] : []),
            ...(emails.length
              ? [eb.and([eb('email', '=', anyOf(emails)), eb('deleted_at', 'is', null), eb('erased_at', 'is', null)])]
              : []),
          ]),
        )
        .execute();
      for (const row of rows) held.hold(row);
    }
    return held;
  }

  private hold(row: Row): void {
    this.rows.set(row.id, row);
    if (row.email) this.withEmail.set(row.email, (this.withEmail.get(row.email) ?? new Set()).add(row.id));
  }

  /** The oldest live, unerased candidate with this email now, as `upsertFromSource` finds them. */
  private byEmail(email: string): string | undefined {
    let found: Row | undefined;
    for (const id of this.withEmail.get(email) ?? []) {
      const row = this.rows.get(id) as Row;
      if (row.email !== email || row.deleted_at !== null || row.erased_at !== null) continue;
      if (!found || row.created_at < found.created_at) found = row;
    }
    return found?.id;
  }

  write(input: BatchCandidateInput, screened: { record: boolean; person: boolean }, reapply: ErasedReapply): UpsertCandidateResult {
    const email = normaliseEmail(input.fields.email);
    const key = sourceKey(input.source);
    let id = this.sources.get(key)?.candidateId ?? (email ? this.byEmail(email) : undefined);
    const verdict = decideErased(screened, {
      liveCandidate: id !== undefined,
      newApplications: input.applicationIds?.length ?? 0,
      reapply,
    });
    if (verdict === 'refuse') return { outcome: 'skipped', reason: 'erased' };
    let outcome: UpsertCandidateResult['outcome'];
    const now = new Date();
    if (!id) {
      if (!input.createIfUnknown) return { outcome: 'skipped', reason: 'unknown' };
      id = newId('cand');
      const f = input.fields;
      this.hold({
        id,
        first_name: f.firstName?.trim() ?? '',
        last_name: f.lastName?.trim() ?? '',
        email: email ?? null,
        phone: normalisePhone(f.phone, f.phoneCountry) ?? null,
        location: compact(f.location ?? {}),
        education: f.education ?? [],
        experience: f.experience ?? [],
        links: compact(f.links ?? {}) as Record<string, string>,
        deleted_at: null,
        erased_at: null,
        erased_by: null,
        created_at: now,
        updated_at: now,
      });
      this.created.add(id);
      outcome = 'created';
    } else {
      const row = this.rows.get(id) as Row;
      const changes = changedColumns(row, { ...input.fields, email, phone: normalisePhone(input.fields.phone, input.fields.phoneCountry) });
      if (Object.keys(changes).length > 0) {
        this.hold({ ...row, ...parsedChanges(changes), updated_at: now });
        this.changed.add(id);
        outcome = 'updated';
      } else outcome = 'unchanged';
    }
    // A source found gone earlier and seen again is live again (and so is its person).
    const source = this.sources.get(key);
    if (!source?.live) {
      this.sources.set(key, { candidateId: source?.candidateId ?? id, live: true });
      this.sourcesAdded.set(key, {
        candidate_id: id,
        provider: input.source.provider,
        external_id: input.source.externalId,
        referrer: input.source.referrer ?? null,
      });
      const row = this.rows.get(id) as Row;
      if (outcome !== 'created' && row.deleted_at !== null) {
        this.rows.set(id, { ...row, deleted_at: null });
        this.changed.add(id);
      }
      if (outcome === 'unchanged') outcome = 'updated';
    }
    return { candidateId: id, outcome, ...(verdict === 'recreate' && { returned: true }) };
  }

  /** The new and changed candidates in one statement, then their new or revived sources in another. */
  async save(tx: Db): Promise<void> {
    const rows = [...new Set([...this.created, ...this.changed])].map((id) => this.rows.get(id) as Row);
    if (rows.length === 0) return this.saveSources(tx);
    const written = await tx
      .insertInto('candidates')
      .columns(columnsOf(CANDIDATE_ROW))
      .expression(jsonRows(CANDIDATE_ROW, rows))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            first_name: eb.ref('excluded.first_name'),
            last_name: eb.ref('excluded.last_name'),
            email: eb.ref('excluded.email'),
            phone: eb.ref('excluded.phone'),
            location: eb.ref('excluded.location'),
            education: eb.ref('excluded.education'),
            experience: eb.ref('excluded.experience'),
            links: eb.ref('excluded.links'),
            deleted_at: eb.ref('excluded.deleted_at'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .where('candidates.erased_at', 'is', null),
      )
      .returning('id')
      .execute();
    // A person erased since they were read (under another lock: their email changed) is never written again: the
    // batch is rolled back and written again, screening them as erased.
    if (written.length < rows.length) throw erasedError(new Date());
    await this.saveSources(tx);
  }

  private async saveSources(tx: Db): Promise<void> {
    if (this.sourcesAdded.size)
      await tx
        .insertInto('candidate_sources')
        .columns(columnsOf(SOURCE_ROW))
        .expression(jsonRows(SOURCE_ROW, [...this.sourcesAdded.values()]))
        .onConflict((oc) =>
          oc.columns(['provider', 'external_id']).doUpdateSet({ deleted_at: null }).where('candidate_sources.deleted_at', 'is not', null),
        )
        .execute();
  }
}
