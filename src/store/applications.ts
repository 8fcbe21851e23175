import type { Insertable, Selectable } from 'kysely';
import type { Application } from '../domain/candidate';
import { newId } from '../domain/ids';
import type { UpsertOutcome } from './candidates';
import type { Db } from './db';
import { anyOf, columnsOf, jsonRows } from './json-rows';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { ApplicationsTable } from './schema';

/** The columns `upsertMany` writes, as its JSON rows carry them. */
const APPLICATION_ROW = {
  id: 'text',
  candidate_id: 'text',
  job_id: 'text',
  posting_id: 'text',
  provider: 'text',
  external_id: 'text',
  referrer: 'text',
  applied_at: 'timestamptz',
  late: 'boolean',
  status: 'text',
  provider_status: 'text',
  deleted_at: 'timestamptz',
  updated_at: 'timestamptz',
} as const;

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

/** Applications: one per (provider, externalId), whatever delivered or synced them. */
export function createApplicationsRepository(db: Db) {
  const repo = {
    /**
     * Creates the application once per (provider, externalId); a repeat updates only its status fields.
     * A new application of a candidate whose data was erased is refused (GoneError, by the store's trigger).
     */
    async upsert(input: ApplicationInput): Promise<{ application: Application; outcome: UpsertOutcome }> {
      // Inserted first, as most are new (one statement); one already held is then read and changed if it must be.
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
      const existing = await db
        .selectFrom('applications')
        .selectAll()
        .where('provider', '=', input.provider)
        .where('external_id', '=', input.externalId)
        .executeTakeFirst();
      if (!existing) return repo.upsert(input); // removed since the insert met it: inserted now
      const changed =
        existing.status !== input.status ||
        (existing.provider_status ?? undefined) !== input.providerStatus ||
        existing.deleted_at !== null;
      if (!changed) return { application: toApplication(existing), outcome: 'unchanged' };
      const row = await db
        .updateTable('applications')
        .set({ status: input.status, provider_status: input.providerStatus ?? null, deleted_at: null, updated_at: new Date() })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { application: toApplication(row), outcome: 'updated' };
    },

    /**
     * Many applications at once inside the caller's transaction, each by the rules of `upsert` in order (an id twice
     * is written once, as it stands last); the ids and outcomes, one per input. A repeat also follows its job: a
     * provider may keep an application's id while moving it to another job (Lever, to another posting).
     */
    async upsertMany(inputs: ApplicationInput[], tx: Db): Promise<Array<{ id: string; outcome: UpsertOutcome }>> {
      if (inputs.length === 0) return [];
      const key = (a: { provider: string; external_id: string }) => `${a.provider}\u0000${a.external_id}`;
      const byProvider = new Map<string, string[]>();
      for (const a of inputs) byProvider.set(a.provider, [...(byProvider.get(a.provider) ?? []), a.externalId]);
      const existing = await tx
        .selectFrom('applications')
        .select(['id', 'provider', 'external_id', 'job_id', 'status', 'provider_status', 'deleted_at'])
        .where((eb) =>
          eb.or([...byProvider].map(([provider, ids]) => eb.and([eb('provider', '=', provider), eb('external_id', '=', anyOf(ids))]))),
        )
        .execute();
      const held = new Map(existing.map((a) => [key(a), a]));
      const toWrite = new Map<string, Insertable<ApplicationsTable>>();
      const now = new Date();
      const results = inputs.map((input) => {
        const k = key({ provider: input.provider, external_id: input.externalId });
        const before = held.get(k);
        const current = { job_id: input.jobId ?? null, status: input.status, provider_status: input.providerStatus ?? null };
        const unchanged =
          before?.deleted_at === null &&
          (['job_id', 'status', 'provider_status'] as const).every((column) => before[column] === current[column]);
        if (before && unchanged) return { id: before.id, outcome: 'unchanged' as const };
        const id = before?.id ?? newId('app');
        held.set(k, { id, provider: input.provider, external_id: input.externalId, ...current, deleted_at: null });
        toWrite.set(k, {
          ...(toWrite.get(k) ?? {
            id,
            candidate_id: input.candidateId,
            posting_id: input.postingId ?? null,
            provider: input.provider,
            external_id: input.externalId,
            referrer: input.referrer ?? null,
            applied_at: input.appliedAt,
            late: input.late ?? false,
          }),
          ...current,
          deleted_at: null,
          updated_at: now,
        });
        return { id, outcome: before ? ('updated' as const) : ('created' as const) };
      });
      if (toWrite.size === 0) return results;
      // A repeat updates only its job and status fields; one inserted meanwhile by another writer is updated.
      const written = await tx
        .insertInto('applications')
        .columns(columnsOf(APPLICATION_ROW))
        .expression(jsonRows(APPLICATION_ROW, [...toWrite.values()]))
        .onConflict((oc) =>
          oc.columns(['provider', 'external_id']).doUpdateSet((eb) => ({
            job_id: eb.ref('excluded.job_id'),
            status: eb.ref('excluded.status'),
            provider_status: eb.ref('excluded.provider_status'),
            deleted_at: null,
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returning(['id', 'provider', 'external_id'])
        .execute();
      const ids = new Map(written.map((a) => [key(a), a.id]));
      return results.map((r, i) => ({
        ...r,
        id: ids.get(key({ provider: inputs[i].provider, external_id: inputs[i].externalId })) ?? r.id,
      }));
    },

    /** Applications gone at their provider: marked deleted (kept). Their candidates' ids, one per application marked. */
    async markGone(provider: string, externalIds: string[]): Promise<string[]> {
      if (externalIds.length === 0) return [];
      const marked = await db
        .updateTable('applications')
        .set({ deleted_at: new Date(), updated_at: new Date() })
        .where('provider', '=', provider)
        .where('external_id', 'in', externalIds)
        .where('deleted_at', 'is', null)
        .returning('candidate_id')
        .execute();
      return marked.map((a) => a.candidate_id);
    },

    async list(
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
  };
  return repo;
}

export type ApplicationsRepository = ReturnType<typeof createApplicationsRepository>;

export function toApplication(row: Selectable<ApplicationsTable>): Application {
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
    deletedAt: row.deleted_at?.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
