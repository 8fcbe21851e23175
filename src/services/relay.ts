import { ConflictError, NotFoundError, notFound, RefusedError } from '../domain/errors';
import { DEFAULT_STATUS_SYNC_TIME, type Delivery, type DeliveryState, type StatusMapping, type StatusSync } from '../domain/relay';
import { providers } from '../providers';
import { NO_SOURCE_REASON } from '../relay/refs';
import { relayEntry } from '../relay/registry';
import { type StageMapping, StatusMappingRules, stageLabel } from '../relay/status-mapping';
import type { RelayEntry } from '../relay/types';
import type { Store } from '../store';
import type { ConnectorRow } from '../store/connectors';
import type { PageRequest } from '../store/paging';
import type { ConnectorWorkflows } from '../temporal/connectors';
import type { DailyTime, RelayWorkflows } from '../temporal/relay';

/**
 * A relay connector's own API: the source id, its deliveries, and the status sync (mapping, Schedule, runs). What
 * needs the connector's credentials (a connection test, the ATS's stages and sources) runs on a worker.
 */
export function createRelayService(store: Store, workflows: RelayWorkflows, connectors: Pick<ConnectorWorkflows, 'test'>) {
  async function relayConnector(id: string): Promise<{ row: ConnectorRow; relay: RelayEntry; rules: StatusMappingRules }> {
    const row = await store.connectors.get(id);
    if (!row) throw notFound('connector');
    const relay = relayEntry(row.provider);
    if (!relay) throw new NotFoundError(`connector ${id} (${row.provider}) has no delivery or status sync`);
    return { row, relay, rules: new StatusMappingRules(relay.lockedStages, relay.statuses) };
  }

  async function enabled(id: string) {
    const found = await relayConnector(id);
    const sync = await store.relay.statusSync(id);
    if (!sync) throw new ConflictError(`the status sync of connector ${id} is not enabled: POST /v1/connectors/${id}/status-sync`);
    return { ...found, sync };
  }

  /** Refused (422) unless both sides answer: the report says which side failed and why. */
  async function assertConnectionWorks(id: string, what: string): Promise<void> {
    const report = await connectors.test(id);
    if (report.ok) return;
    const failing = Object.entries(report.parts ?? {}).filter(([, p]) => !p.ok);
    const words = report.missing.length ? report.missing.join('; ') : failing.map(([name]) => `${name} does not answer`).join('; ');
    throw new RefusedError(`${what} needs a working connection: ${words}`, report);
  }

  async function redeliver(row: ConnectorRow, relay: RelayEntry, refs: Awaited<ReturnType<Store['relay']['toRetry']>>) {
    let restarted = 0;
    for (const ref of refs) {
      if (!(await store.relay.reopen(ref))) continue;
      await workflows.startDelivery(ref, row.provider, relay.names);
      restarted += 1;
    }
    return restarted;
  }

  async function mappingView(id: string, rules: StatusMappingRules): Promise<StatusMapping> {
    const sync = await store.relay.statusSync(id);
    if (!sync) throw new ConflictError(`the status sync of connector ${id} is not enabled: POST /v1/connectors/${id}/status-sync`);
    const mapping = await store.relay.mapping(id, sync.mappingVersion);
    const unmapped = rules.unmapped(sync.stages, mapping).map(stageLabel);
    return {
      version: sync.mappingVersion,
      statuses: [...rules.statuses],
      stages: rules.view(sync.stages, mapping),
      unmapped,
      complete: unmapped.length === 0,
    };
  }

  async function statusSyncView(id: string, rules: StatusMappingRules): Promise<StatusSync> {
    const sync = await store.relay.statusSync(id);
    if (!sync) throw new ConflictError(`the status sync of connector ${id} is not enabled: POST /v1/connectors/${id}/status-sync`);
    const [schedule, mapping, runs] = await Promise.all([
      workflows.schedule(id),
      store.relay.mapping(id, sync.mappingVersion),
      store.relay.runs(id, { limit: 1 }),
    ]);
    return {
      connectorId: id,
      enabledAt: new Date(sync.enabledAt).toISOString(),
      time: sync.time,
      timezone: sync.timezone,
      scheduleId: `status-sync:${id}`,
      schedule,
      mappingVersion: sync.mappingVersion,
      unmappedStages: rules.unmapped(sync.stages, mapping).map(stageLabel),
      syncedUntil: sync.syncedUntil === undefined ? undefined : new Date(sync.syncedUntil).toISOString(),
      lastRun: runs.items[0],
    };
  }

  return {
    /** "Import source ID": the ATS's publication places, and the one chosen. */
    async sources(id: string) {
      const { row, relay } = await relayConnector(id);
      const sources = await workflows.lookUp(id, 'sources', relay.names.ats);
      return { sources, selected: (row.settings as { sourceId?: string }).sourceId };
    },

    /** Chooses the publication place delivered candidates are tagged with; deliveries refused for want of it go again. */
    async chooseSource(id: string, sourceId: string) {
      const { row, relay } = await relayConnector(id);
      const sources = await workflows.lookUp(id, 'sources', relay.names.ats);
      if (!sources.some((s) => s.id === sourceId)) {
        const known = sources.map((s) => `${s.id} "${s.name}"`).join(', ') || 'none';
        throw new RefusedError(`${relay.names.ats} has no publication place ${sourceId} (it has: ${known})`);
      }
      const sync = providers[row.provider].sync;
      const settings = sync ? sync.settings.parse({ ...row.settings, sourceId }) : { ...row.settings, sourceId };
      // Read from the store by every delivery (the sync loop's plan does not depend on it).
      await store.connectors.update(id, { settings: settings as object });
      await redeliver(row, relay, await store.relay.toRetry(id, ['refused'], NO_SOURCE_REASON));
      return { sources, selected: sourceId };
    },

    async deliveries(id: string, query: PageRequest & { state?: DeliveryState }): Promise<{ items: Delivery[]; nextCursor?: string }> {
      await relayConnector(id);
      return store.relay.deliveries(id, query);
    },

    /** Runs refused and failed deliveries again (and delivered ones whose outcome never reached the tool). */
    async retryDeliveries(id: string, state?: 'refused' | 'failed'): Promise<{ restarted: number }> {
      const { row, relay } = await relayConnector(id);
      return { restarted: await redeliver(row, relay, await store.relay.toRetry(id, state ? [state] : ['refused', 'failed'])) };
    },

    /**
     * "Włącz synchronizację": needs a working connection; reads every stage of the ATS (defaults pre-mapped and
     * locked, the company's own unmapped), records when the sync was switched on and creates the daily Schedule.
     * On again changes nothing but a time or zone given, which moves the Schedule as `PATCH` does.
     */
    async enableStatusSync(id: string, at: Partial<DailyTime>): Promise<{ created: boolean; view: StatusSync }> {
      const { row, relay, rules } = await relayConnector(id);
      const existing = await store.relay.statusSync(id);
      if (!existing) {
        await assertConnectionWorks(id, 'the status sync');
        const stages = await workflows.lookUp(id, 'stages', relay.names.ats);
        await store.relay.enableStatusSync({
          connectorId: id,
          enabledAt: Date.now(),
          time: at.time ?? DEFAULT_STATUS_SYNC_TIME.time,
          timezone: at.timezone ?? DEFAULT_STATUS_SYNC_TIME.timezone,
          stages,
          mapping: rules.initial(stages),
        });
      } else if ((at.time ?? existing.time) !== existing.time || (at.timezone ?? existing.timezone) !== existing.timezone) {
        await store.relay.setSchedule(id, { time: at.time ?? existing.time, timezone: at.timezone ?? existing.timezone });
      }
      const sync = (await store.relay.statusSync(id))!;
      await workflows.ensureSchedule({ id, provider: row.provider }, sync);
      return { created: !existing, view: await statusSyncView(id, rules) };
    },

    async statusSync(id: string): Promise<StatusSync> {
      const { rules } = await relayConnector(id);
      return statusSyncView(id, rules);
    },

    /** A new daily time or zone: the Schedule is updated at once. */
    async reschedule(id: string, at: Partial<DailyTime>): Promise<StatusSync> {
      const { row, rules, sync } = await enabled(id);
      const next = { time: at.time ?? sync.time, timezone: at.timezone ?? sync.timezone };
      await workflows.ensureSchedule({ id, provider: row.provider }, next);
      await store.relay.setSchedule(id, next);
      return statusSyncView(id, rules);
    },

    async pause(id: string): Promise<StatusSync> {
      const { rules } = await enabled(id);
      await workflows.pause(id, 'paused through the jobrelay API');
      return statusSyncView(id, rules);
    },

    async unpause(id: string): Promise<StatusSync> {
      const { rules } = await enabled(id);
      await workflows.unpause(id, 'unpaused through the jobrelay API');
      return statusSyncView(id, rules);
    },

    /** A run now (the Schedule's action): 409 while one is under way. */
    async trigger(id: string): Promise<StatusSync> {
      const { rules } = await enabled(id);
      await workflows.trigger(id);
      return statusSyncView(id, rules);
    },

    async mapping(id: string): Promise<StatusMapping> {
      const { rules } = await relayConnector(id);
      return mappingView(id, rules);
    },

    /** Saves a complete mapping as a new version (the same one again keeps its version); 422 names every problem. */
    async saveMapping(id: string, requested: StageMapping): Promise<StatusMapping> {
      const { rules, sync } = await enabled(id);
      const checked = rules.check(sync.stages, requested);
      if ('problems' in checked) {
        const { locked, unknown, unmapped, invalidStatus } = checked.problems;
        const parts = [
          locked.length && `locked default stages cannot be remapped: ${locked.join(', ')}`,
          unknown.length && `no such stages: ${unknown.join(', ')}`,
          invalidStatus.length && `not one of ${rules.statuses.join(', ')}: ${invalidStatus.join(', ')}`,
          unmapped.length && `every stage must be mapped; unmapped: ${unmapped.join(', ')}`,
        ].filter(Boolean);
        throw new RefusedError(`the mapping cannot be saved: ${parts.join('; ')}`, checked.problems);
      }
      await store.relay.saveMapping(id, checked.mapping);
      return mappingView(id, rules);
    },

    async runs(id: string, page: PageRequest) {
      await enabled(id);
      return store.relay.runs(id, page);
    },

    async run(id: string, runId: string) {
      await enabled(id);
      const run = await store.relay.run(runId);
      if (!run || run.connectorId !== id) throw notFound('status sync run');
      return run;
    },

    /** The changes waiting for their stage to be mapped. */
    async held(id: string) {
      await enabled(id);
      return { items: await store.relay.heldChanges(id) };
    },
  };
}

export type RelayService = ReturnType<typeof createRelayService>;
