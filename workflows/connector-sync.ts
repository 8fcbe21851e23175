import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EventActivities } from '../activities/events';
import type { SyncActivities } from '../activities/sync';
import { CONNECTOR_NEEDS_PERSON } from '../src/domain/failures';
import { ConnectorId, Provider } from '../src/domain/search-attributes';
import { connectorState } from '../src/domain/workflow-summaries';
import { syncCompleted, syncFailing } from '../src/events/catalog';
import type { ConnectorStatus } from '../src/sync/status';
import { type SyncSnapshot, SyncState } from '../src/sync/sync-state';
import type { PostingToUnpost, TestReport } from '../src/sync/types';
import { unpostSignal } from './posting-lifecycle';

export interface ConnectorSyncInput {
  connectorId: string;
  /** Carried across continue-as-new; absent on the first start (cursors then come from the store). */
  snapshot?: SyncSnapshot;
  /** Start a fresh history after this many runs even without the server's hint (default 500). */
  maxRunsPerExecution?: number;
}

export interface SyncNowRequest {
  /** One stream; unset = every stream. */
  stream?: string;
}

export interface ResyncRequest {
  /** Read again from here (ms since the epoch): every record updated since is written in place; nothing is deleted. */
  since: number;
  /** One stream; unset = every stream that runs. */
  stream?: string;
}

export const syncNowUpdate = defineUpdate<ConnectorStatus, [SyncNowRequest]>('syncNow');
export const pauseUpdate = defineUpdate<ConnectorStatus>('pause');
export const resumeUpdate = defineUpdate<ConnectorStatus>('resume');
/** The connector's row changed (settings, intervals, credentials): load the plan again. Carries no data. */
export const reconfigureUpdate = defineUpdate<ConnectorStatus>('reconfigure');
/** A reconciling sweep now, whatever its schedule (one stream, or every stream that runs). */
export const sweepNowUpdate = defineUpdate<ConnectorStatus, [SyncNowRequest]>('sweepNow');
export const resyncUpdate = defineUpdate<ConnectorStatus, [ResyncRequest]>('resync');
/** Signals do the same, for operators in the Temporal UI or CLI. */
export const syncNowSignal = defineSignal<[SyncNowRequest]>('syncNowSignal');
export const pauseSignal = defineSignal('pauseSignal');
export const resumeSignal = defineSignal('resumeSignal');
export const reconfigureSignal = defineSignal('reconfigureSignal');
export const statusQuery = defineQuery<ConnectorStatus>('status');

/** Failures no retry fixes: a person must act (new key, permission, settings). */
const NEEDS_PERSON = CONNECTOR_NEEDS_PERSON;

const pages = proxyActivities<SyncActivities>({
  startToCloseTimeout: '30 minutes',
  // A page heartbeats every couple of seconds: a killed worker's page is retried elsewhere within seconds.
  heartbeatTimeout: '10 seconds',
  // Each request already retries 429/5xx itself; a page that still fails is retried for a few minutes, then
  // the stream waits for its next interval and continues from the same page.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NEEDS_PERSON,
  },
});

const control = proxyActivities<SyncActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: NEEDS_PERSON },
});

/** The `patched()` id of asking posting workflows to unpost (added after connector histories were recorded). */
const UNPOSTS_POSTINGS_OF_ENDED_JOBS = 'unposts-postings-of-ended-jobs';

/** A short write to our own store: the outbox row of an event (idempotent by its key). */
const events = proxyLocalActivities<EventActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Runs recorded before events out (and the operators' memo) replay without them. */
const EVENTS_OUT = 'events-out';

/** Besides the server's hint, start a fresh history after this many runs. */
const MAX_RUNS_PER_EXECUTION = 500;

/** Loops continued from a snapshot made before sweeps existed load their plan again to learn their sweep. */
const SWEEP_PLAN_PATCH = 'sweep-plan-on-continue';

/**
 * A connector's sync loop, forever: each stream runs when its interval is up (or on `syncNow`), page by page,
 * from its cursor. Paused and failing connectors wait for a person; the history is renewed with continue-as-new.
 */
export async function connectorSync(input: ConnectorSyncInput): Promise<void> {
  const sync = new SyncState(input.connectorId, input.snapshot);
  registerHandlers(sync);
  if (!sync.configured) await loadPlan(sync);
  else if (sync.lacksSweepPlan && patched(SWEEP_PLAN_PATCH)) await loadPlan(sync);
  publishSearchAttributes(sync);
  setCurrentDetails(connectorState(sync.status()));

  for (;;) {
    const wait = sync.msUntilNextDue(Date.now());
    if (wait === undefined) await condition(() => sync.hasWork(Date.now()));
    else if (wait > 0) await condition(() => sync.hasWork(Date.now()), wait);

    if (sync.reconfigurePending) await loadPlan(sync);
    // The sweep's next time comes from an activity (time zone rules live outside the workflow); plans recorded
    // before sweeps existed have none, so their histories replay without it.
    if (sync.sweepUnscheduled) await scheduleSweep(sync);
    sync.beginSweepIfDue(Date.now());
    const stream = sync.dueStream(Date.now());
    if (stream) await runStream(sync, stream);
    if (sync.stateDirty) await recordState(sync);

    if (workflowInfo().continueAsNewSuggested || sync.runsThisExecution >= (input.maxRunsPerExecution ?? MAX_RUNS_PER_EXECUTION)) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof connectorSync>({ ...input, snapshot: sync.snapshot() });
    }
  }
}

/** One run of a stream: pages until the provider has no more, unless paused, reconfigured or failed meanwhile. */
async function runStream(sync: SyncState, stream: string): Promise<void> {
  sync.startRun(stream, Date.now());
  while (sync.isActive && !sync.reconfigurePending && sync.isRunning(stream)) {
    try {
      const page = await pages.syncPage(sync.pageRequest(stream));
      sync.recordPage(stream, page, Date.now());
      if (page.postingsToUnpost?.length && patched(UNPOSTS_POSTINGS_OF_ENDED_JOBS)) await unpostPostings(page.postingsToUnpost);
    } catch (err) {
      const failure = describe(err);
      log.warn('sync page failed', { connectorId: sync.connectorId, stream, error: failure.message, needsPerson: failure.needsPerson });
      sync.pageFailed(stream, failure.message, failure.needsPerson, Date.now());
      return;
    } finally {
      setCurrentDetails(connectorState(sync.status()));
    }
  }
  if (!sync.isRunning(stream) && patched(EVENTS_OUT)) await events.raiseEvent(syncCompleted(sync, stream, sync.status().streams[stream]));
}

/**
 * A job the provider closed or stopped publishing comes off the boards: each of its postings' workflows is told to
 * unpost, as closing the job through the API does. A posting already being unposted ignores it; one whose workflow
 * is not running is left as it is (and logged).
 */
async function unpostPostings(postings: PostingToUnpost[]): Promise<void> {
  await Promise.all(
    postings.map(async ({ workflowId, reason }) => {
      try {
        await getExternalWorkflowHandle(workflowId).signal(unpostSignal, reason);
      } catch (err) {
        log.warn('could not ask a posting to unpost', { workflowId, error: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
}

async function loadPlan(sync: SyncState): Promise<void> {
  try {
    const plan = await control.loadConnectorPlan(sync.connectorId);
    if (sync.reconfigurePending) sync.reconfigured(plan, Date.now());
    else sync.configure(plan, Date.now());
  } catch (err) {
    sync.planFailed(describe(err).message, Date.now());
  }
}

async function scheduleSweep(sync: SyncState): Promise<void> {
  const plan = sync.sweepPlan;
  if (plan) sync.scheduleSweep(await control.nextSweepAt(plan, Date.now()));
}

async function recordState(sync: SyncState): Promise<void> {
  await control.recordConnectorState(sync.connectorId, sync.state, sync.state === 'failing' ? sync.lastErrorMessage : undefined);
  sync.markStatePersisted();
  const { state, lastError } = sync.status();
  setCurrentDetails(connectorState(sync.status()));
  if (!patched(EVENTS_OUT)) return;
  upsertMemo({ state });
  if (state === 'failing' && lastError) await events.raiseEvent(syncFailing(sync, lastError));
}

function registerHandlers(sync: SyncState) {
  const status = () => sync.status();
  setHandler(statusQuery, status);
  setHandler(
    syncNowUpdate,
    ({ stream }) => {
      sync.requestSync(stream);
      return status();
    },
    {
      validator: ({ stream }) => {
        const refusal = sync.refuseSync(stream);
        if (refusal) throw new Error(refusal);
      },
    },
  );
  const then = (act: () => void) => () => {
    act();
    return status();
  };
  setHandler(
    pauseUpdate,
    then(() => sync.pause()),
  );
  setHandler(
    resumeUpdate,
    then(() => sync.resume()),
  );
  setHandler(
    reconfigureUpdate,
    then(() => sync.requestReconfigure()),
  );
  setHandler(
    sweepNowUpdate,
    ({ stream }) => {
      sync.requestSweep(Date.now(), stream);
      return status();
    },
    { validator: ({ stream }) => refuse(sync.refuseSweep(stream)) },
  );
  setHandler(
    resyncUpdate,
    ({ since, stream }) => {
      sync.requestResync(since, stream);
      return status();
    },
    { validator: ({ since, stream }) => refuse(sync.refuseResync(since, Date.now(), stream)) },
  );
  setHandler(syncNowSignal, ({ stream }) => {
    if (!sync.refuseSync(stream)) sync.requestSync(stream);
  });
  setHandler(pauseSignal, () => sync.pause());
  setHandler(resumeSignal, () => sync.resume());
  setHandler(reconfigureSignal, () => sync.requestReconfigure());
}

function refuse(reason: string | undefined): void {
  if (reason) throw new Error(reason);
}

function publishSearchAttributes(sync: SyncState) {
  upsertSearchAttributes([
    { key: ConnectorId, value: sync.connectorId },
    ...(sync.provider ? [{ key: Provider, value: sync.provider }] : []),
  ]);
}

function describe(err: unknown): { message: string; needsPerson: boolean } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return { message: cause.message, needsPerson: cause.nonRetryable || NEEDS_PERSON.includes(cause.type as never) };
  }
  return { message: cause instanceof Error ? cause.message : String(cause), needsPerson: false };
}

/** `POST /v1/connectors/:id/test`: runs the connection test as an activity (credentials stay in the worker). */
export async function connectorTest(connectorId: string): Promise<TestReport> {
  return control.testConnector(connectorId);
}
