import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RelayActivities } from '../activities/relay';
import { CONNECTOR_NEEDS_PERSON } from '../src/domain/failures';
import type { StatusRun } from '../src/domain/relay';
import type { StatusRunInput } from '../src/relay/refs';
import { RunTallier } from '../src/relay/status-run';
import type { AtsStage, Source } from '../src/relay/types';

const control = proxyActivities<RelayActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: CONNECTOR_NEEDS_PERSON,
  },
});

/**
 * A lookup the API waits for (the ATS's sources or stages): the clients already retry a fault in process, so a
 * refusal or an ATS that does not answer is told to the caller in seconds, not after minutes of retries.
 */
const lookups = proxyActivities<RelayActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 2, nonRetryableErrorTypes: CONNECTOR_NEEDS_PERSON },
});

const pages = proxyActivities<RelayActivities>({
  startToCloseTimeout: '30 minutes',
  // A page heartbeats every couple of seconds: a killed worker's page is taken over within seconds.
  heartbeatTimeout: '10 seconds',
  // Each request already retries 5xx itself; a page that still fails is retried a few times, then the run fails
  // and the next one starts again from where the last good run ended.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes: CONNECTOR_NEEDS_PERSON,
  },
});

/**
 * One daily status-sync run (started by the connector's Schedule, or on demand): the ATS's stage changes since
 * the last good run, in the tool's candidates' applications made after the sync was enabled, mapped and pushed
 * to the tool once each; changes into unmapped stages held. Its report (counts and reasons) is the result; a run
 * that fails is recorded as failed and fails here, visibly, and the next run reads again from the last good one.
 */
export async function statusSync(input: StatusRunInput): Promise<StatusRun> {
  // The Schedule names each run's workflow after the second it fired; Temporal's run id tells two runs apart.
  const { workflowId, runId } = workflowInfo();
  let plan = await control.beginStatusRun({ connectorId: input.connectorId, runId, workflowId, startedAt: Date.now() });
  const tally = new RunTallier();
  try {
    plan = await pages.planStatusRun(plan);
    for (const recruitmentId of plan.recruitments) {
      let page: string | undefined;
      do {
        const result = await pages.statusSyncPage({ ...plan, recruitmentId, page });
        tally.merge(result.tally);
        page = result.next;
      } while (page);
    }
    tally.merge(await pages.releaseHeldChanges(plan));
  } catch (err) {
    const error = messageOf(err);
    await control.finishStatusRun({ runId, state: 'failed', tally: tally.result(), error });
    throw ApplicationFailure.nonRetryable(`the status sync run failed: ${error}`, 'StatusSyncRunFailed');
  }
  return control.finishStatusRun({ runId, state: 'succeeded', tally: tally.result() });
}

/** The ATS's publication places or stages, read on a worker (where credentials are opened) for the API. */
export async function relayLookup(connectorId: string, question: 'sources' | 'stages'): Promise<Source[] | AtsStage[]> {
  return lookups.lookUpRelay(connectorId, question);
}

function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
