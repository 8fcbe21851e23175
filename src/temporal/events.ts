import { type Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import { eventDispatch } from '../../workflows/event-dispatch';
import { redeliverSignal, subscriptionDeletedSignal, webhookDelivery } from '../../workflows/webhook-delivery';
import { DISPATCH_DETAILS, DISPATCH_SUMMARY, subscriptionMetadata } from '../domain/workflow-summaries';
import { dispatchWorkflowId, webhookWorkflowId } from '../events/types';
import type { Subscription } from '../store/webhooks';
import { startOnce } from './workflow-calls';

/** The event dispatcher and each subscription's delivery workflow, as the API starts and steers them. */
export function createEventWorkflows(client: Client, taskQueue: string) {
  const startDeliveries = (subscription: Subscription) =>
    startOnce(() =>
      client.workflow.start(webhookDelivery, {
        workflowId: webhookWorkflowId(subscription.id),
        taskQueue,
        args: [{ subscriptionId: subscription.id }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        ...subscriptionMetadata(subscription),
      }),
    );

  return {
    /** The dispatcher of this task queue; starting it again while it runs changes nothing. */
    startDispatcher: () =>
      startOnce(() =>
        client.workflow.start(eventDispatch, {
          workflowId: dispatchWorkflowId(taskQueue),
          taskQueue,
          args: [{}],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          staticSummary: DISPATCH_SUMMARY,
          staticDetails: DISPATCH_DETAILS,
          memo: { summary: DISPATCH_SUMMARY },
        }),
      ),

    startDeliveries,

    /** Wakes the subscription's deliveries to try now (a redelivery), starting them when they are not running. */
    async redeliver(subscription: Subscription): Promise<void> {
      try {
        await client.workflow.getHandle(webhookWorkflowId(subscription.id)).signal(redeliverSignal);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        await startDeliveries(subscription);
      }
    },

    /** Tells the deliveries the subscription is gone; they find that out from the store anyway, so a miss is harmless. */
    async stop(subscriptionId: string): Promise<void> {
      await client.workflow
        .getHandle(webhookWorkflowId(subscriptionId))
        .signal(subscriptionDeletedSignal)
        .catch(() => undefined);
    },
  };
}

export type EventWorkflows = ReturnType<typeof createEventWorkflows>;
