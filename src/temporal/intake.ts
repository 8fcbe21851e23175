import { type Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { applicationIntake } from '../../workflows/application-intake';
import { JobId, Provider } from '../domain/search-attributes';
import { intakeDetails, intakeSummary } from '../domain/workflow-summaries';
import { type IntakeRef, intakeWorkflowId } from '../intake/rules';
import { startOnce } from './workflow-calls';

/** Temporal did not confirm it holds the intake workflow: the board must deliver again. */
export class IntakeNotAcceptedError extends Error {}

/** How long a webhook waits for Temporal before answering 503 (the board retries). */
const START_DEADLINE_MS = 5_000;

/**
 * The intake workflow as the webhook starts it: the only place that talks to Temporal about intake. `eager`: the
 * client shares its connection with a worker on `taskQueue`, so the server may hand the new workflow's first task
 * straight back in its answer instead of queueing it for a poll.
 */
export function createIntakeWorkflows(client: Client, taskQueue: string, { eager = false } = {}) {
  return {
    /**
     * Resolves once Temporal holds the application's workflow: started now, already running (a duplicate
     * delivery joins it) or already finished (a re-delivery after completion changes nothing).
     */
    async start(ref: IntakeRef, context: { jobId: string }): Promise<{ workflowId: string }> {
      const workflowId = intakeWorkflowId(ref.provider, ref.applicationId);
      try {
        await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
          startOnce(() =>
            client.workflow.start(applicationIntake, {
              workflowId,
              taskQueue,
              args: [ref],
              workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
              // A finished intake is not run again; one that failed may be, when the board delivers again.
              workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
              requestEagerStart: eager,
              typedSearchAttributes: [
                { key: Provider, value: ref.provider },
                { key: JobId, value: context.jobId },
              ],
              staticSummary: intakeSummary(ref, context.jobId),
              staticDetails: intakeDetails(ref, context.jobId),
            }),
          ),
        );
      } catch (err) {
        throw new IntakeNotAcceptedError(`Temporal did not take the workflow: ${(err as Error).message}`);
      }
      return { workflowId };
    },

    /**
     * Resolves once the application's workflow has closed (whatever its outcome), or after `withinMs` when it has
     * not: one long poll on its history, never a failure.
     */
    async finished(ref: IntakeRef, withinMs: number): Promise<void> {
      const handle = client.workflow.getHandle(intakeWorkflowId(ref.provider, ref.applicationId));
      await client.withDeadline(Date.now() + withinMs, () => handle.result()).catch(() => undefined);
    },
  };
}

export type IntakeWorkflows = ReturnType<typeof createIntakeWorkflows>;
