import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import { newId } from '../domain/ids';
import type { PhoneCountry } from '../domain/phone';
import type { Delivery, DeliveryState, HeldChange, StatusRun } from '../domain/relay';
import type { IdentityKeys } from '../privacy/keys';
import type { DeliveryRef } from '../relay/refs';
import type { StageMapping } from '../relay/status-mapping';
import type { RunTally } from '../relay/status-run';
import type { AtsStage, DeliveredPerson, ReadyCandidate, StageChange } from '../relay/types';
import { ERASED_REASON } from '../sync/writes';
import type { Db } from './db';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { Database, RelayDeliveriesTable, RelayStatusRunsTable, RelayStatusSyncTable } from './schema';

export interface StagedDelivery extends Delivery {
  /** Kept only while the delivery is under way. */
  person?: DeliveredPerson;
  cvUrl?: string;
}

export interface StatusSyncRow {
  connectorId: string;
  enabledAt: number;
  time: string;
  timezone: string;
  stages: AtsStage[];
  mappingVersion: number;
  syncedUntil?: number;
}

/** A run as it began: what it reads and with which mapping (a retried start gets the same). */
export interface RunPlanRow {
  id: string;
  workflowId: string;
  mappingVersion: number;
  since: number;
  until: number;
  newStages: string[];
}

/** A change into an unmapped stage, waiting; `candidateId` is the tool's. */
export interface HeldRow extends StageChange {
  applicationId: string;
  candidateId: string;
  runId: string;
  heldSince: string;
}

const ms = (d: Date) => d.getTime();

/** The detail of an erased delivery whose person reached the ATS as the erasure was made. */
export const SENT_DURING_ERASURE = 'sent to the ATS while the person was being erased';

/**
 * A delivery of a person whose data was erased: ids and dates only. It stays (a hand-over of the same candidate
 * again finds it ended) and no longer ties the tool's candidate to an ATS application, so no status is synced.
 */
export const ERASED_DELIVERY = {
  state: 'erased',
  reason: ERASED_REASON,
  person: null,
  cv_url: null,
  detail: null,
  application_id: null,
  email_key: null,
  phone_key: null,
} as const;

/** A delivery by its natural key. */
const isDelivery = (ref: DeliveryRef) => (eb: ExpressionBuilder<Database, 'relay_deliveries'>) =>
  eb.and({ connector_id: ref.connectorId, candidate_id: ref.candidateId, recruitment_id: ref.recruitmentId });

/** States a delivery leaves only by being handed over again (never by a late write of a delivery under way). */
const ENDED = ['delivered', 'erased'];

/** A relay connector's deliveries and status sync: every write an upsert on its natural key. */
export function createRelayRepository(db: Db, keys: IdentityKeys) {
  const deliveryRow = (ref: DeliveryRef) => db.selectFrom('relay_deliveries').selectAll().where(isDelivery(ref));

  /** Ends a delivery under way; one already delivered (or erased) stays as it is. */
  const finish = (ref: DeliveryRef, values: Partial<Record<keyof RelayDeliveriesTable, unknown>>) =>
    db
      .updateTable('relay_deliveries')
      .set({ ...values, updated_at: new Date() } as never)
      .where(isDelivery(ref))
      .where('state', 'not in', ENDED)
      .execute();

  return {
    /**
     * Takes a ready candidate for delivery: new, or again after a refusal or failure (the tool marked them ready
     * again). One delivered already is not delivered again: its workflow only tells the tool its application again.
     */
    async stageDelivery(
      connectorId: string,
      candidate: ReadyCandidate,
      /** Where the tool's phones are read: its keyed phone + surname is made as the match rules make it. */
      phoneCountry: PhoneCountry,
      workflowId: (ref: DeliveryRef) => string,
    ): Promise<{ outcome: 'created' | 'updated' | 'unchanged'; start: boolean; ref: DeliveryRef }> {
      const ref = { connectorId, candidateId: candidate.candidateId, recruitmentId: candidate.recruitmentId };
      return db.transaction().execute(async (tx) => {
        const existing = await tx
          .selectFrom('relay_deliveries')
          .select(['state', 'reported'])
          .where(isDelivery(ref))
          .forUpdate()
          .executeTakeFirst();
        if (existing?.state === 'erased') return { outcome: 'unchanged', start: false, ref };
        const personKeys = keys.person({ ...candidate.person, phoneCountry });
        const staged = {
          person: JSON.stringify(candidate.person),
          cv_url: candidate.cvUrl ?? null,
          email_key: personKeys.find((k) => k.kind === 'email')?.key ?? null,
          phone_key: personKeys.find((k) => k.kind === 'phone+surname')?.key ?? null,
        };
        if (!existing) {
          await tx
            .insertInto('relay_deliveries')
            .values({
              id: newId('dlv'),
              connector_id: connectorId,
              candidate_id: ref.candidateId,
              recruitment_id: ref.recruitmentId,
              state: 'pending',
              attempts: 1,
              workflow_id: workflowId(ref),
              ...staged,
            })
            .execute();
          return { outcome: 'created', start: true, ref };
        }
        if (existing.state === 'delivered') {
          // Approved again: the tool is told again which application it is (its workflow finds the delivery done).
          await tx.updateTable('relay_deliveries').set({ reported: false, updated_at: new Date() }).where(isDelivery(ref)).execute();
          return { outcome: 'unchanged', start: true, ref };
        }
        const again = existing.state === 'refused' || existing.state === 'failed';
        await tx
          .updateTable('relay_deliveries')
          .set({
            ...staged,
            state: 'pending',
            reason: null,
            detail: null,
            reported: false,
            ...(again ? { attempts: sql<number>`attempts + 1` } : {}),
            updated_at: new Date(),
          })
          .where(isDelivery(ref))
          .execute();
        return { outcome: 'updated', start: true, ref };
      });
    },

    async delivery(ref: DeliveryRef): Promise<StagedDelivery | undefined> {
      const row = await deliveryRow(ref).executeTakeFirst();
      return row && toDelivery(row);
    },

    /** False when the delivery had ended meanwhile (erased while the ATS was being sent the person). */
    async markDelivered(ref: DeliveryRef, result: { applicationId: string; duplicate: boolean }): Promise<boolean> {
      const now = new Date();
      const [done] = await finish(ref, {
        state: 'delivered',
        application_id: result.applicationId,
        duplicate: result.duplicate,
        reason: null,
        detail: null,
        person: null,
        delivered_at: now,
      });
      return Number(done?.numUpdatedRows ?? 0) > 0;
    },

    /**
     * The person was erased while the ATS was being sent them: the ATS now holds them and only its users can remove
     * them there. The erased delivery says where (the ATS's application id, in its detail), for the operator to act.
     */
    async noteSentDuringErasure(ref: DeliveryRef, applicationId: string): Promise<boolean> {
      const [done] = await db
        .updateTable('relay_deliveries')
        .set({ detail: `${SENT_DURING_ERASURE}: remove application ${applicationId} in the ATS`, updated_at: new Date() })
        .where(isDelivery(ref))
        .where('state', '=', 'erased')
        .execute();
      return Number(done?.numUpdatedRows ?? 0) > 0;
    },

    async markRefused(ref: DeliveryRef, reason: string, detail?: string): Promise<void> {
      // The person stays: a refused candidate may be delivered again (a source chosen, the recruitment shared).
      await finish(ref, { state: 'refused', reason, detail: detail ?? null });
    },

    /** The person was erased after they were staged: nothing of theirs is kept, nothing is sent. */
    async markErased(ref: DeliveryRef): Promise<void> {
      await finish(ref, ERASED_DELIVERY);
    },

    /** A delivery that failed (a delivered one whose report failed keeps its state, with the reason). */
    async markFailed(ref: DeliveryRef, reason: string): Promise<void> {
      await db
        .updateTable('relay_deliveries')
        .set({ state: sql`case when state = 'delivered' then state else 'failed' end`, reason, updated_at: new Date() })
        .where('state', '<>', 'erased')
        .where(isDelivery(ref))
        .execute();
    },

    async markReported(ref: DeliveryRef): Promise<void> {
      await db
        .updateTable('relay_deliveries')
        .set({ reported: true, reason: sql`case when state = 'delivered' then null else reason end`, updated_at: new Date() })
        .where(isDelivery(ref))
        .execute();
    },

    async deliveries(connectorId: string, filter: PageRequest & { state?: DeliveryState }): Promise<Page<Delivery>> {
      const limit = filter.limit ?? 50;
      let q = newestFirst(db.selectFrom('relay_deliveries').selectAll().where('connector_id', '=', connectorId), filter, limit);
      if (filter.state) q = q.where('state', '=', filter.state);
      return pageOf(await q.execute(), limit, (row) => {
        const { person: _person, cvUrl: _cv, ...delivery } = toDelivery(row);
        return delivery;
      });
    },

    /**
     * Retention: refused and failed deliveries last touched before `before` lose the person, CV link and the ATS's
     * message (the keyed hashes stay, so an erasure still finds them). A retry is refused as no longer staged; the
     * tool marking them ready again stages them afresh. Returns how many.
     */
    async expireUndelivered(before: Date): Promise<number> {
      const done = await db
        .updateTable('relay_deliveries')
        .set({ person: null, cv_url: null, detail: null, updated_at: new Date() })
        .where('state', 'in', ['refused', 'failed'])
        .where((eb) => eb.or([eb('person', 'is not', null), eb('cv_url', 'is not', null), eb('detail', 'is not', null)]))
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(done.numUpdatedRows);
    },

    /** Deliveries to run again: refused or failed ones (these states, else both), and delivered ones never reported. */
    async toRetry(connectorId: string, states: Array<'refused' | 'failed'>, reason?: string): Promise<DeliveryRef[]> {
      let q = db
        .selectFrom('relay_deliveries')
        .select(['candidate_id', 'recruitment_id'])
        .where('connector_id', '=', connectorId)
        .where((eb) => eb.or([eb('state', 'in', states), eb.and([eb('state', '=', 'delivered'), eb('reported', '=', false)])]));
      if (reason) q = q.where('reason', '=', reason);
      const rows = await q.execute();
      return rows.map((r) => ({ connectorId, candidateId: r.candidate_id, recruitmentId: r.recruitment_id }));
    },

    /** Marks a delivery to be run again (attempts + 1); false when it is delivered and reported, or erased. */
    async reopen(ref: DeliveryRef): Promise<boolean> {
      const res = await db
        .updateTable('relay_deliveries')
        .set({
          state: sql`case when state = 'delivered' then state else 'pending' end`,
          reported: false,
          attempts: sql<number>`attempts + 1`,
          updated_at: new Date(),
        })
        .where(isDelivery(ref))
        .where('state', '<>', 'erased')
        .where((eb) => eb.or([eb('state', '<>', 'delivered'), eb('reported', '=', false)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** Of these ATS applications, the ones this connector delivered: application id → the tool's candidate id. */
    async deliveredApplications(connectorId: string, applicationIds: string[]): Promise<Map<string, string>> {
      if (applicationIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('relay_deliveries')
        .select(['application_id', 'candidate_id'])
        .where('connector_id', '=', connectorId)
        .where('state', '=', 'delivered')
        .where('application_id', 'in', applicationIds)
        .execute();
      return new Map(rows.map((r) => [r.application_id as string, r.candidate_id]));
    },

    /** The recruitments this connector delivered candidates into. */
    async deliveredRecruitments(connectorId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('relay_deliveries')
        .select('recruitment_id')
        .distinct()
        .where('connector_id', '=', connectorId)
        .where('state', '=', 'delivered')
        .orderBy('recruitment_id')
        .execute();
      return rows.map((r) => r.recruitment_id);
    },

    async statusSync(connectorId: string): Promise<StatusSyncRow | undefined> {
      const row = await db.selectFrom('relay_status_sync').selectAll().where('connector_id', '=', connectorId).executeTakeFirst();
      return row && toStatusSync(row);
    },

    /** Switches the status sync on (version 1 of the mapping); on again changes nothing. */
    async enableStatusSync(input: {
      connectorId: string;
      enabledAt: number;
      time: string;
      timezone: string;
      stages: AtsStage[];
      mapping: StageMapping;
    }): Promise<StatusSyncRow> {
      await db.transaction().execute(async (tx) => {
        const inserted = await tx
          .insertInto('relay_status_sync')
          .values({
            connector_id: input.connectorId,
            enabled_at: new Date(input.enabledAt),
            time: input.time,
            timezone: input.timezone,
            stages: JSON.stringify(input.stages),
            mapping_version: 1,
          })
          .onConflict((oc) => oc.column('connector_id').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0)
          await tx
            .insertInto('relay_status_mappings')
            .values({ connector_id: input.connectorId, version: 1, mapping: JSON.stringify(input.mapping) })
            .execute();
      });
      return (await this.statusSync(input.connectorId)) as StatusSyncRow;
    },

    async setSchedule(connectorId: string, schedule: { time: string; timezone: string }): Promise<void> {
      await db
        .updateTable('relay_status_sync')
        .set({ ...schedule, updated_at: new Date() })
        .where('connector_id', '=', connectorId)
        .execute();
    },

    /** The ATS's stages as read now, kept in the order read; answers the ids not known before. */
    async recordStages(connectorId: string, stages: AtsStage[]): Promise<string[]> {
      const current = await this.statusSync(connectorId);
      const known = new Set((current?.stages ?? []).map((s) => s.id));
      const added = stages.filter((s) => !known.has(s.id)).map((s) => s.id);
      if (current && JSON.stringify(current.stages) !== JSON.stringify(stages))
        await db
          .updateTable('relay_status_sync')
          .set({ stages: JSON.stringify(stages), updated_at: new Date() })
          .where('connector_id', '=', connectorId)
          .execute();
      return added;
    },

    async mapping(connectorId: string, version: number): Promise<StageMapping> {
      const row = await db
        .selectFrom('relay_status_mappings')
        .select('mapping')
        .where('connector_id', '=', connectorId)
        .where('version', '=', version)
        .executeTakeFirstOrThrow();
      return row.mapping;
    },

    /** Saves a mapping as the next version; the same mapping as the current one keeps its version. */
    async saveMapping(connectorId: string, mapping: StageMapping): Promise<number> {
      return db.transaction().execute(async (tx) => {
        const current = await tx
          .selectFrom('relay_status_sync')
          .select('mapping_version')
          .where('connector_id', '=', connectorId)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const saved = await tx
          .selectFrom('relay_status_mappings')
          .select('mapping')
          .where('connector_id', '=', connectorId)
          .where('version', '=', current.mapping_version)
          .executeTakeFirstOrThrow();
        if (sameMapping(saved.mapping, mapping)) return current.mapping_version;
        const version = current.mapping_version + 1;
        await tx
          .insertInto('relay_status_mappings')
          .values({ connector_id: connectorId, version, mapping: JSON.stringify(mapping) })
          .execute();
        await tx
          .updateTable('relay_status_sync')
          .set({ mapping_version: version, updated_at: new Date() })
          .where('connector_id', '=', connectorId)
          .execute();
        return version;
      });
    },

    /** Records a run's start; a retried start (same run id) gets the plan recorded the first time. */
    async beginRun(connectorId: string, plan: RunPlanRow): Promise<RunPlanRow> {
      await db
        .insertInto('relay_status_runs')
        .values({
          id: plan.id,
          workflow_id: plan.workflowId,
          connector_id: connectorId,
          state: 'running',
          mapping_version: plan.mappingVersion,
          since: new Date(plan.since),
          until: new Date(plan.until),
          new_stages: JSON.stringify(plan.newStages),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const row = await db.selectFrom('relay_status_runs').selectAll().where('id', '=', plan.id).executeTakeFirstOrThrow();
      return {
        id: row.id,
        workflowId: row.workflow_id,
        mappingVersion: row.mapping_version,
        since: ms(row.since),
        until: ms(row.until),
        newStages: row.new_stages,
      };
    },

    async noteNewStages(runId: string, names: string[]): Promise<void> {
      await db
        .updateTable('relay_status_runs')
        .set({ new_stages: JSON.stringify(names) })
        .where('id', '=', runId)
        .execute();
    },

    /** Ends a run; a good run moves where the next one reads from. */
    async finishRun(runId: string, outcome: { state: 'succeeded' | 'failed'; tally: RunTally; error?: string }): Promise<StatusRun> {
      await db.transaction().execute(async (tx) => {
        const run = await tx
          .updateTable('relay_status_runs')
          .set({ state: outcome.state, tally: JSON.stringify(outcome.tally), error: outcome.error ?? null, finished_at: new Date() })
          .where('id', '=', runId)
          .returning(['connector_id', 'until'])
          .executeTakeFirstOrThrow();
        if (outcome.state === 'succeeded')
          await tx
            .updateTable('relay_status_sync')
            .set({ synced_until: run.until, updated_at: new Date() })
            .where('connector_id', '=', run.connector_id)
            .where((eb) => eb.or([eb('synced_until', 'is', null), eb('synced_until', '<', run.until)]))
            .execute();
      });
      return (await this.run(runId)) as StatusRun;
    },

    async run(runId: string): Promise<StatusRun | undefined> {
      const row = await db.selectFrom('relay_status_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      return row && toRun(row);
    },

    async runs(connectorId: string, page: PageRequest): Promise<Page<StatusRun>> {
      const limit = page.limit ?? 20;
      const rows = await newestFirst(
        db.selectFrom('relay_status_runs').selectAll().where('connector_id', '=', connectorId),
        page,
        limit,
      ).execute();
      return pageOf(rows, limit, toRun);
    },

    /** The changes already pushed for these applications, by application. */
    async pushes(connectorId: string, applicationIds: string[]): Promise<Map<string, Array<StageChange & { runId: string }>>> {
      const out = new Map<string, Array<StageChange & { runId: string }>>();
      if (applicationIds.length === 0) return out;
      const rows = await db
        .selectFrom('relay_status_pushes')
        .select(['application_id', 'stage_id', 'changed_at', 'run_id'])
        .where('connector_id', '=', connectorId)
        .where('application_id', 'in', applicationIds)
        .execute();
      for (const r of rows) {
        const list = out.get(r.application_id) ?? [];
        list.push({ stageId: r.stage_id, changedAt: r.changed_at.toISOString(), runId: r.run_id });
        out.set(r.application_id, list);
      }
      return out;
    },

    /** Records a change pushed to the tool (after the push: a crash in between only means it is pushed again, idempotently). */
    async recordPush(connectorId: string, push: StageChange & { applicationId: string; status: string; runId: string }): Promise<void> {
      await db
        .insertInto('relay_status_pushes')
        .values({
          connector_id: connectorId,
          application_id: push.applicationId,
          stage_id: push.stageId,
          changed_at: new Date(push.changedAt),
          status: push.status,
          run_id: push.runId,
        })
        .onConflict((oc) => oc.columns(['connector_id', 'application_id', 'stage_id', 'changed_at']).doNothing())
        .execute();
    },

    /** Holds a change into an unmapped stage, marked with the run that read it last. */
    async hold(connectorId: string, held: StageChange & { applicationId: string; candidateId: string; runId: string }): Promise<void> {
      await db
        .insertInto('relay_status_held')
        .values({
          connector_id: connectorId,
          application_id: held.applicationId,
          stage_id: held.stageId,
          changed_at: new Date(held.changedAt),
          candidate_id: held.candidateId,
          run_id: held.runId,
        })
        .onConflict((oc) => oc.columns(['connector_id', 'application_id', 'stage_id', 'changed_at']).doUpdateSet({ run_id: held.runId }))
        .execute();
    },

    /** The held changes, of these applications only when given. */
    async held(connectorId: string, applicationIds?: string[]): Promise<HeldRow[]> {
      if (applicationIds?.length === 0) return [];
      let q = db.selectFrom('relay_status_held').selectAll().where('connector_id', '=', connectorId);
      if (applicationIds) q = q.where('application_id', 'in', applicationIds);
      const rows = await q.orderBy('changed_at').orderBy('application_id').execute();
      return rows.map((r) => ({
        applicationId: r.application_id,
        candidateId: r.candidate_id,
        stageId: r.stage_id,
        changedAt: r.changed_at.toISOString(),
        runId: r.run_id,
        heldSince: r.held_since.toISOString(),
      }));
    },

    /** The held list as the API shows it, with stage names. */
    async heldChanges(connectorId: string): Promise<HeldChange[]> {
      const sync = await this.statusSync(connectorId);
      const names = new Map((sync?.stages ?? []).map((s) => [s.id, s.name]));
      return (await this.held(connectorId)).map(({ runId: _run, ...h }) => ({ ...h, stageName: names.get(h.stageId) }));
    },

    async release(connectorId: string, held: StageChange & { applicationId: string }): Promise<void> {
      await db
        .deleteFrom('relay_status_held')
        .where('connector_id', '=', connectorId)
        .where('application_id', '=', held.applicationId)
        .where('stage_id', '=', held.stageId)
        .where('changed_at', '=', new Date(held.changedAt))
        .execute();
    },
  };
}

export type RelayRepository = ReturnType<typeof createRelayRepository>;

function sameMapping(a: StageMapping, b: StageMapping): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function toDelivery(row: Selectable<RelayDeliveriesTable>): StagedDelivery {
  return {
    id: row.id,
    connectorId: row.connector_id,
    candidateId: row.candidate_id,
    recruitmentId: row.recruitment_id,
    state: row.state as DeliveryState,
    applicationId: row.application_id ?? undefined,
    duplicate: row.duplicate,
    reason: row.reason ?? undefined,
    detail: row.detail ?? undefined,
    reported: row.reported,
    attempts: row.attempts,
    workflowId: row.workflow_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString(),
    person: (row.person as DeliveredPerson | null) ?? undefined,
    cvUrl: row.cv_url ?? undefined,
  };
}

function toStatusSync(row: Selectable<RelayStatusSyncTable>): StatusSyncRow {
  return {
    connectorId: row.connector_id,
    enabledAt: ms(row.enabled_at),
    time: row.time,
    timezone: row.timezone,
    stages: row.stages,
    mappingVersion: row.mapping_version,
    syncedUntil: row.synced_until ? ms(row.synced_until) : undefined,
  };
}

function toRun(row: Selectable<RelayStatusRunsTable>): StatusRun {
  const tally = row.tally as RunTally | null;
  return {
    id: row.id,
    workflowId: row.workflow_id,
    connectorId: row.connector_id,
    state: row.state as StatusRun['state'],
    mappingVersion: row.mapping_version,
    since: row.since.toISOString(),
    until: row.until.toISOString(),
    newStages: row.new_stages,
    counts: tally?.counts,
    reasons: tally?.reasons as StatusRun['reasons'],
    error: row.error ?? undefined,
    startedAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString(),
  };
}
