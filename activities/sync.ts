import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Deps } from '../src/deps';
import type { ConnectorState } from '../src/domain/connector';
import { CONNECTOR_CONFIG_ERROR, ProviderErrorType } from '../src/domain/failures';
import { countErasedReturn } from '../src/privacy/metrics';
import { phoneCountryOf, providers } from '../src/providers';
import type { RequestRetry } from '../src/providers/http';
import { EndpointLimits, sharedLimiter } from '../src/providers/rate-limit';
import { credentialsOriginOf } from '../src/sync/credential-origins';
import { cursorAfterPage } from '../src/sync/cursor';
import { digestOf } from '../src/sync/ledger';
import { nextDailyAt, sweepPlanOf } from '../src/sync/sweep';
import { addPages } from '../src/sync/tally';
import type { ConnectorPlan, PageHeartbeat, PageRequest, PageResult, SweepPlan, TestReport } from '../src/sync/types';
import { ERASED_REASON } from '../src/sync/writes';
import { createRecordWorkflows } from '../src/temporal/record-workflows';

/** While a page runs, a heartbeat at least this often (rate-limit waits included) so a dead worker is noticed fast. */
const HEARTBEAT_EVERY_MS = 2_000;
/** How long one activity goes on writing the pages that follow, before the workflow hears (signals, status). */
const PAGES_AT_ONCE_MS = 1_000;

/**
 * The connector sync loop's activities. The workflow passes the connector id only: settings come from the store
 * and credentials are opened here, never carried through workflow history.
 */
export function createSyncActivities({
  store,
  logger,
  metrics,
  origins,
  config,
}: Pick<Deps, 'store' | 'logger' | 'metrics' | 'origins' | 'config'>) {
  // A provider limits each credential: one token bucket (sharedLimiter) and, where it limits endpoints on their own,
  // one set of endpoint limits per credential in this process, shared by every page of every connector using it.
  const endpointLimits = new Map<string, EndpointLimits>();
  const caches = new Map<string, Map<string, unknown>>();

  async function resolve(connectorId: string) {
    const connector = await store.connectors.get(connectorId);
    if (!connector) throw ApplicationFailure.nonRetryable(`connector ${connectorId} does not exist`, CONNECTOR_CONFIG_ERROR);
    const sync = providers[connector.provider]?.sync;
    if (!sync) throw ApplicationFailure.nonRetryable(`provider ${connector.provider} has no sync`, CONNECTOR_CONFIG_ERROR);
    const settings = sync.settings.safeParse(connector.settings);
    if (!settings.success)
      throw ApplicationFailure.nonRetryable(`stored settings no longer validate: ${settings.error.message}`, CONNECTOR_CONFIG_ERROR);
    return { connector, sync, settings: settings.data };
  }

  async function openCredentials(connectorId: string, sync: NonNullable<(typeof providers)[string]['sync']>) {
    const credentials = sync.credentials.safeParse(await store.connectors.credentials(connectorId));
    if (!credentials.success) throw ApplicationFailure.nonRetryable('stored credentials are incomplete', CONNECTOR_CONFIG_ERROR);
    return credentials.data;
  }

  async function openSource(connectorId: string, beat: PageBeat = plainBeat()) {
    const { connector, sync, settings } = await resolve(connectorId);
    // Credentials go only to the origin they were saved for: a base URL changed since needs them entered again.
    const origin = credentialsOriginOf(sync, settings, providers[connector.provider].origins);
    if (connector.credentialsOrigin && connector.credentialsOrigin !== origin)
      throw ApplicationFailure.nonRetryable(
        `the credentials were saved for ${connector.credentialsOrigin}, not ${origin}: enter them again`,
        ProviderErrorType.Auth,
      );
    const credentials = await openCredentials(connectorId, sync);
    const credential = `${connector.provider}:${origin}:${digestOf(credentials)}`;
    const limiter = sharedLimiter(credential, sync.rateLimit(settings));
    const declared = sync.endpointLimits?.(settings);
    let endpoints = declared && endpointLimits.get(credential);
    if (declared && !endpoints?.sameAs(declared)) {
      endpoints = new EndpointLimits(declared);
      endpointLimits.set(credential, endpoints);
    }
    const cache = caches.get(connectorId) ?? new Map<string, unknown>();
    caches.set(connectorId, cache);
    const activity = Context.current();
    const source = sync.open({
      connectorId,
      provider: connector.provider,
      phoneCountry: phoneCountryOf(connector.provider, config.defaultPhoneCountry),
      settings,
      credentials,
      store,
      limiter,
      endpoints: endpoints || undefined,
      cache,
      origins,
      heartbeat: beat.heartbeat,
      retrying: beat.retrying,
      logger: logger.child({ connectorId }),
      // The worker's own client: the record's workflow goes on this activity's task queue.
      startWorkflow: (workflow) =>
        createRecordWorkflows(activity.client, activity.info.taskQueue).start(workflow, { connectorId, provider: connector.provider }),
    });
    return { ...source, provider: connector.provider };
  }

  /**
   * What an earlier attempt of this activity (`attempt`: its run and activity id) wrote before it failed or its worker
   * died: the cursor is stored after each page with the attempt's sum so far (`progress`), so a retry answers that
   * sum and the workflow asks for the next page from there. No page is written twice and the run's totals stay exact,
   * its last page and a settling batch included (written again, they would count as unchanged, or not at all).
   */
  async function writtenBefore(request: PageRequest, attempt: string): Promise<PageResult | undefined> {
    const progress = (await store.connectors.get(request.connectorId))?.streams[request.stream]?.progress;
    return progress?.attempt === attempt ? progress.result : undefined;
  }

  function countPage(request: PageRequest, provider: string, result: PageResult) {
    const erased = result.skippedReasons[ERASED_REASON];
    if (erased) countErasedReturn(metrics, { provider, via: 'sync', action: 'refused' }, erased);
    const labels = { connector: request.connectorId, stream: request.stream };
    for (const [outcome, n] of Object.entries(result.counts)) {
      if (n > 0) metrics.inc('jobrelay_sync_records_total', 'Records synced from connectors, by outcome', { ...labels, outcome }, n);
    }
    metrics.inc('jobrelay_sync_requests_total', 'Requests made to providers by connector syncs', labels, result.requests);
    const repaired = request.position.mode === 'sweep' ? result.counts.created + result.counts.updated : 0;
    if (repaired > 0)
      metrics.inc('jobrelay_sync_repaired_total', 'Records a reconciling sweep found missing or stale and wrote', labels, repaired);
  }

  return {
    /** The connector's streams, intervals, state and stored cursors: what the workflow plans with. */
    async loadConnectorPlan(connectorId: string): Promise<ConnectorPlan> {
      const { connector, sync, settings } = await resolve(connectorId);
      return {
        connectorId,
        provider: connector.provider,
        state: connector.state,
        lastError: connector.lastError,
        streams: sync.streams(settings, await openCredentials(connectorId, sync)),
        // A page's progress is the page activity's own (a retry's resume point), not the workflow's.
        cursors: Object.fromEntries(Object.entries(connector.streams).map(([name, { progress: _, ...cursor }]) => [name, cursor])),
        sweep: sweepPlanOf(connector.sweep),
      };
    },

    /** When the next sweep starts after `after` (ms): worked out here, so the workflow replays the recorded time. */
    async nextSweepAt(plan: SweepPlan, after: number): Promise<number> {
      return nextDailyAt(plan.timeOfDay, plan.timeZone, after);
    },

    /**
     * One page of one stream: fetch → map → upsert → store the cursor → say where the next page starts. The pages
     * that follow in the same run are written here too for a moment (each is already being fetched ahead while the
     * one before is written), instead of a workflow task and an activity a page; the workflow gets their sum.
     */
    async syncPage(request: PageRequest): Promise<PageResult> {
      const activity = Context.current();
      const beat = pageBeat();
      const ticker = setInterval(beat.heartbeat, HEARTBEAT_EVERY_MS);
      try {
        const { attempt, activityId, workflowExecution } = activity.info;
        const key = `${workflowExecution?.runId}/${activityId}`;
        const written = attempt > 1 ? await writtenBefore(request, key) : undefined;
        if (written) return written;
        const source = await openSource(request.connectorId, beat);
        const started = Date.now();
        let current = request;
        let result: PageResult | undefined;
        for (;;) {
          const page = await source.page(current);
          countPage(current, source.provider, page);
          result = result ? addPages(result, page) : page;
          const next = page.next;
          await store.connectors.saveCursor(request.connectorId, request.stream, {
            ...cursorAfterPage(current, page),
            progress: { attempt: key, result },
          });
          if (!next || next.settling || page.postingsToUnpost?.length || Date.now() - started >= PAGES_AT_ONCE_MS) return result;
          current = { ...request, position: next };
        }
      } finally {
        clearInterval(ticker);
      }
    },

    /** Mirrors the workflow's state in the store (lists, and the API when the workflow cannot answer). */
    async recordConnectorState(connectorId: string, state: ConnectorState, lastError?: string): Promise<void> {
      await store.connectors.setState(connectorId, state, lastError);
    },

    /** Checks the credentials and their permissions; reports what is missing instead of failing. */
    async testConnector(connectorId: string): Promise<TestReport> {
      const source = await openSource(connectorId);
      return source.test();
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;

/** How a page activity heartbeats: with its client's retry under way as the details, which the status reads. */
interface PageBeat {
  heartbeat(): void;
  retrying(retry: RequestRetry | undefined): void;
}

function pageBeat(): PageBeat {
  const activity = Context.current();
  let current: PageHeartbeat = {};
  const heartbeat = () => activity.heartbeat(current);
  return {
    heartbeat,
    retrying(retry) {
      current = retry ? { retrying: retry } : {};
      heartbeat();
    },
  };
}

function plainBeat(): PageBeat {
  const activity = Context.current();
  return { heartbeat: () => activity.heartbeat(), retrying: () => undefined };
}
