import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { retentionSweep } from '../../workflows/retention-sweep';
import { ConflictError } from '../domain/errors';
import { retentionMetadata } from '../domain/workflow-summaries';

/** Daily at 03:00 UTC. */
const SPEC: ScheduleSpec = { calendars: [{ hour: 3, comment: 'daily at 03:00 UTC' }] };
const POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
/** A run stuck longer than this (the store down all day) gives way, so the next day's run is not skipped for ever. */
export const RETENTION_RUN_TIMEOUT: Duration = '12 hours';

export interface RetentionSchedule {
  scheduleId: string;
  months: number;
  paused: boolean;
  nextRunAt?: string;
  /** The runs it started lately (their results are in the privacy audit). */
  recentRuns: Array<{ workflowId: string; scheduledAt: string }>;
}

/** The retention schedule (one per task queue): the only place that talks to Temporal about retention. */
export function createRetentionSchedule(client: Client, taskQueue: string) {
  const scheduleId = `retention:${taskQueue}`;
  const handle = () => client.schedule.getHandle(scheduleId);
  const action = (months: number) => ({
    type: 'startWorkflow' as const,
    workflowType: retentionSweep,
    args: [{ months }] as [{ months: number }],
    taskQueue,
    workflowId: scheduleId,
    workflowRunTimeout: RETENTION_RUN_TIMEOUT,
    ...retentionMetadata(months),
  });

  return {
    scheduleId,

    /**
     * Makes the schedule match the configuration: created or updated for `months`; deleted when unset (keep
     * everyone), so an earlier setting stops erasing. A server without schedules (the time-skipping test server)
     * holds none to delete, and refuses a retention period.
     */
    async apply(months: number | undefined): Promise<void> {
      try {
        if (months === undefined) {
          await handle()
            .delete()
            .catch((err) => {
              if (!(err instanceof ScheduleNotFoundError) && !withoutSchedules(err)) throw err;
            });
          return;
        }
        try {
          await client.schedule.create({ scheduleId, spec: SPEC, action: action(months), policies: POLICIES });
        } catch (err) {
          if (!(err instanceof ScheduleAlreadyRunning)) throw err;
          await handle().update((previous) => ({ ...previous, spec: SPEC, action: action(months), policies: POLICIES }));
        }
      } catch (err) {
        if (withoutSchedules(err)) throw new Error('RETENTION_MONTHS needs Temporal Schedules, which this Temporal server does not offer');
        throw err;
      }
    },

    async describe(): Promise<RetentionSchedule | undefined> {
      try {
        const d = await handle().describe();
        const [input] = (d.action.args ?? []) as Array<{ months: number }>;
        return {
          scheduleId,
          months: input?.months,
          paused: d.state.paused,
          nextRunAt: d.info.nextActionTimes[0]?.toISOString(),
          recentRuns: d.info.recentActions.map((a) => ({
            workflowId: a.action.workflow.workflowId,
            scheduledAt: a.scheduledAt.toISOString(),
          })),
        };
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return undefined;
        throw err;
      }
    },

    /** Starts a run now (a run already under way is left to finish). */
    async trigger(): Promise<void> {
      try {
        await handle().trigger(ScheduleOverlapPolicy.SKIP);
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) throw new ConflictError('retention is off: set RETENTION_MONTHS');
        throw err;
      }
    },
  };
}

/** gRPC UNIMPLEMENTED: the server has no schedule service. */
const GRPC_UNIMPLEMENTED = 12;
const withoutSchedules = (err: unknown) => (err as { cause?: { code?: number } })?.cause?.code === GRPC_UNIMPLEMENTED;

export type RetentionScheduleClient = ReturnType<typeof createRetentionSchedule>;
