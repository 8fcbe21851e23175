import { randomUUID } from 'node:crypto';
import {
  ActivityFailure,
  ApplicationFailure,
  type Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowFailedError,
} from '@temporalio/client';
import { relayLookup, statusSync } from '../../workflows/status-sync';
import { ConflictError, ProviderUnreachableError, RefusedError, UnavailableError } from '../domain/errors';
import { CONNECTOR_CONFIG_ERROR, PROVIDER_NEEDS_PERSON } from '../domain/failures';
import { ConnectorId, Provider } from '../domain/search-attributes';
import { failureClass } from '../providers/errors';
import { deliveryWorkflow } from '../relay/hand-over';
import { type DeliveryRef, statusSyncScheduleId, statusSyncWorkflowId } from '../relay/refs';
import type { AtsStage, RelayEntry, Source } from '../relay/types';
import { createRecordWorkflows } from './record-workflows';

export interface DailyTime {
  /** HH:MM, 24-hour. */
  time: string;
  /** IANA zone: the local time holds across DST changes. */
  timezone: string;
}

export interface ScheduleState {
  paused: boolean;
  note?: string;
  running: boolean;
  nextRunAt: string[];
}

/** How long a trigger waits for the Schedule to start its run. */
const TRIGGER_CONFIRM_MS = 10_000;

/** Up to this late (the server or the workers were down at the time) a missed daily run still starts. */
const CATCHUP_WINDOW = '12 hours';

/** The schedule's spec: every day at the local time, in the zone (Temporal applies the zone's DST rules). */
export function dailySpec({ time, timezone }: DailyTime) {
  const [hour, minute] = time.split(':').map(Number);
  return { calendars: [{ hour, minute, comment: `daily at ${time} ${timezone}` }], timezone };
}

/** A relay connector's workflows as the API steers them: its Schedule, its lookups, its deliveries. */
export function createRelayWorkflows(client: Client, taskQueue: string) {
  const schedule = (connectorId: string) => client.schedule.getHandle(statusSyncScheduleId(connectorId));

  /** A call on a Schedule that is not there is a ConflictError: the status sync is not enabled. */
  async function onSchedule<T>(connectorId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError)
        throw new ConflictError(`connector ${connectorId} has no status-sync Schedule: enable the status sync first`);
      throw err;
    }
  }

  async function describe(connectorId: string): Promise<ScheduleState> {
    const d = await schedule(connectorId).describe();
    return {
      paused: d.state.paused,
      note: d.state.note || undefined,
      running: d.info.runningActions.length > 0,
      nextRunAt: d.info.nextActionTimes.map((t) => t.toISOString()),
    };
  }

  return {
    /** Creates the connector's daily Schedule, or brings an existing one to this time (idempotent). */
    async ensureSchedule(connector: { id: string; provider: string }, at: DailyTime): Promise<void> {
      try {
        await client.schedule.create({
          scheduleId: statusSyncScheduleId(connector.id),
          spec: dailySpec(at),
          action: {
            type: 'startWorkflow',
            workflowType: statusSync,
            workflowId: statusSyncWorkflowId(connector.id),
            taskQueue,
            args: [{ connectorId: connector.id }],
            typedSearchAttributes: [
              { key: ConnectorId, value: connector.id },
              { key: Provider, value: connector.provider },
            ],
            staticSummary: `${connector.provider} status sync of connector ${connector.id}`,
          },
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW },
          state: { note: `daily status sync of connector ${connector.id}` },
        });
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await schedule(connector.id).update((current) => ({ ...current, spec: dailySpec(at) }));
      }
    },

    /** The Schedule as Temporal holds it, or undefined when there is none. */
    async schedule(connectorId: string): Promise<ScheduleState | undefined> {
      try {
        return await describe(connectorId);
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return undefined;
        throw err;
      }
    },

    pause: (connectorId: string, note: string) => onSchedule(connectorId, () => schedule(connectorId).pause(note)),
    unpause: (connectorId: string, note: string) => onSchedule(connectorId, () => schedule(connectorId).unpause(note)),

    /**
     * Starts a run now, and answers once the Schedule has started it. Refused while a run is under way: the Schedule
     * skips a trigger then (overlap policy skip), which is told apart from a run started by its counts.
     */
    async trigger(connectorId: string): Promise<void> {
      const underWay = () => new ConflictError('a status sync run is under way: wait for it to finish');
      await onSchedule(connectorId, async () => {
        const handle = schedule(connectorId);
        const before = (await handle.describe()).info;
        if (before.runningActions.length > 0) throw underWay();
        await handle.trigger(ScheduleOverlapPolicy.SKIP);
        const deadline = Date.now() + TRIGGER_CONFIRM_MS;
        for (;;) {
          const { info } = await handle.describe();
          if (info.numActionsTaken > before.numActionsTaken) return;
          if (info.numActionsSkippedOverlap > before.numActionsSkippedOverlap) throw underWay();
          if (Date.now() > deadline)
            throw new UnavailableError('Temporal took the trigger but has not started the run yet: see the Schedule');
          await new Promise((r) => setTimeout(r, 100));
        }
      });
    },

    /**
     * The ATS's publication places or stages, read on a worker with the connector's credentials. The ATS refusing
     * the credentials is a RefusedError (422), the ATS not answering a ProviderUnreachableError (502): each names
     * the failure's class, never what the host answered (as the connection test reports it).
     */
    async lookUp<Q extends 'sources' | 'stages'>(
      connectorId: string,
      question: Q,
      ats: string,
    ): Promise<Q extends 'sources' ? Source[] : AtsStage[]> {
      try {
        return (await client.workflow.execute(relayLookup, {
          workflowId: `relay-lookup:${connectorId}:${randomUUID()}`,
          taskQueue,
          args: [connectorId, question],
          workflowExecutionTimeout: '2 minutes',
          staticSummary: `read ${question} of connector ${connectorId}`,
        })) as never;
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        const what = `${ats}'s ${question === 'sources' ? 'publication places' : 'stages'} could not be read`;
        const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
        if (cause instanceof ApplicationFailure && cause.type === CONNECTOR_CONFIG_ERROR)
          throw new RefusedError(`${what}: ${cause.message}`);
        if (cause instanceof ApplicationFailure && PROVIDER_NEEDS_PERSON.includes(cause.type as string))
          throw new RefusedError(
            `${what}: ${ats} refused (${failureClass(cause)}); POST /v1/connectors/${connectorId}/test says which check fails`,
          );
        throw new ProviderUnreachableError(`${what}: ${ats} did not answer (${failureClass(cause)})`);
      }
    },

    /** Starts a delivery again (unless one is running). */
    startDelivery: (ref: DeliveryRef, provider: string, names: RelayEntry['names']) =>
      createRecordWorkflows(client, taskQueue).start(deliveryWorkflow(ref, names), { connectorId: ref.connectorId, provider }),
  };
}

export type RelayWorkflows = ReturnType<typeof createRelayWorkflows>;
