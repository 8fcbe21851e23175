import { randomUUID } from 'node:crypto';
import {
  type Client,
  decodePendingActivityState,
  type WorkflowExecutionDescription,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { PayloadConverter, Timestamp } from '@temporalio/common';
import {
  connectorSync,
  connectorTest,
  pauseUpdate,
  reconfigureUpdate,
  resumeUpdate,
  resyncUpdate,
  statusQuery,
  sweepNowUpdate,
  syncNowUpdate,
} from '../../workflows/connector-sync';
import { type ConnectorStatus, syncWorkflowId } from '../domain/connector';
import { ConnectorId, Provider } from '../domain/search-attributes';
import { connectorDetails, connectorSummary } from '../domain/workflow-summaries';
import type { PageHeartbeat, TestReport } from '../sync/types';
import { sendCommand, startOnce } from './workflow-calls';

/** The connector sync loop as the API steers it: the only place that talks to Temporal about connectors. */
export function createConnectorWorkflows(client: Client, taskQueue: string) {
  const handle = (connectorId: string) => client.workflow.getHandle(syncWorkflowId(connectorId));

  /** A refused command (e.g. `syncNow` on a paused connector) is a ConflictError naming why. */
  const update = (connectorId: string, send: (h: ReturnType<typeof handle>) => Promise<ConnectorStatus>) =>
    sendCommand(() => send(handle(connectorId)), 'the connector’s sync loop is not running');

  return {
    /** Starts the loop; the connector id is its only input (credentials stay in the store). Idempotent. */
    async start(connector: { id: string; provider: string; name?: string; state?: string }): Promise<string> {
      const workflowId = syncWorkflowId(connector.id);
      await startOnce(() =>
        client.workflow.start(connectorSync, {
          workflowId,
          taskQueue,
          args: [{ connectorId: connector.id }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: [
            { key: ConnectorId, value: connector.id },
            { key: Provider, value: connector.provider },
          ],
          staticSummary: connectorSummary(connector),
          staticDetails: connectorDetails(connector),
          // The memo outlives continue-as-new (the summary and details do not).
          memo: { summary: connectorSummary(connector), state: connector.state ?? 'active' },
        }),
      );
      return workflowId;
    },

    /**
     * The loop's live status, or undefined when it is not running. A page being retried (which the loop learns of
     * only once its retries are spent) shows as `retrying` on the stream under way, from Temporal's own record.
     */
    async status(connectorId: string): Promise<ConnectorStatus | undefined> {
      try {
        const [status, description] = await Promise.all([handle(connectorId).query(statusQuery), handle(connectorId).describe()]);
        return withRetryingPage(status, description, client.options.loadedDataConverter.payloadConverter);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },

    syncNow: (connectorId: string, stream?: string) => update(connectorId, (h) => h.executeUpdate(syncNowUpdate, { args: [{ stream }] })),
    pause: (connectorId: string) => update(connectorId, (h) => h.executeUpdate(pauseUpdate)),
    resume: (connectorId: string) => update(connectorId, (h) => h.executeUpdate(resumeUpdate)),
    reconfigure: (connectorId: string) => update(connectorId, (h) => h.executeUpdate(reconfigureUpdate)),
    sweepNow: (connectorId: string, stream?: string) => update(connectorId, (h) => h.executeUpdate(sweepNowUpdate, { args: [{ stream }] })),
    resync: (connectorId: string, since: number, stream?: string) =>
      update(connectorId, (h) => h.executeUpdate(resyncUpdate, { args: [{ since, stream }] })),

    /** Runs the connection test on a worker (where credentials are opened) and waits for its report. */
    test: (connectorId: string): Promise<TestReport> =>
      client.workflow.execute(connectorTest, {
        workflowId: `test:${connectorId}:${randomUUID()}`,
        taskQueue,
        args: [connectorId],
        workflowExecutionTimeout: '2 minutes',
      }),
  };
}

export type ConnectorWorkflows = ReturnType<typeof createConnectorWorkflows>;

/** The activity that reads and writes a stream's page (`pages.syncPage` in workflows/connector-sync.ts). */
const PAGE_ACTIVITY = 'syncPage';

/**
 * How long a request's retry is shown after its next try was due, without a heartbeat saying it is still retried: the
 * heartbeat that clears it reaches Temporal within its throttle (80 % of the page's 10 s heartbeat timeout).
 */
const REQUEST_RETRY_SHOWN_MS = 10_000;

/**
 * The status with what holds up the page under way: a request its client is trying again (from the activity's
 * heartbeat), else the page's own retries once an attempt failed (Temporal's record). The loop runs one stream at a
 * time.
 */
function withRetryingPage(
  status: ConnectorStatus,
  description: WorkflowExecutionDescription,
  payloads: PayloadConverter,
  now = Date.now(),
): ConnectorStatus {
  const page = description.raw.pendingActivities?.find((a) => a.activityType?.name === PAGE_ACTIVITY);
  const stream = Object.values(status.streams).find((st) => st.running);
  if (!page || !stream) return status;
  const details = page.heartbeatDetails?.payloads?.[0];
  const request = details && (payloads.fromPayload(details) as PageHeartbeat | undefined)?.retrying;
  if (decodePendingActivityState(page.state) === 'STARTED' && request && request.at > now - REQUEST_RETRY_SHOWN_MS) {
    const { attempt, message, at } = request;
    stream.retrying = { of: 'request', attempt, message, nextAttemptAt: new Date(at).toISOString() };
    return status;
  }
  if (!page.lastFailure) return status;
  const nextAttemptAt = page.nextAttemptScheduleTime && dateOf(page.nextAttemptScheduleTime).toISOString();
  stream.retrying = {
    of: 'page',
    attempt: page.attempt ?? 2,
    message: page.lastFailure.message ?? 'unknown error',
    ...(nextAttemptAt && { nextAttemptAt }),
  };
  return status;
}

/** A timestamp of Temporal's raw description as a Date (its seconds may be a Long, which `Number` reads). */
function dateOf({ seconds, nanos }: Timestamp): Date {
  return new Date(Number(seconds ?? 0) * 1000 + Math.floor((nanos ?? 0) / 1e6));
}
