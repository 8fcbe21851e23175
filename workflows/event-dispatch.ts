import {
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { EventActivities, WakeUp } from '../activities/events';
import { webhookWorkflowId } from '../src/events/types';
import { deliveriesWaitingSignal, webhookDelivery } from './webhook-delivery';

export interface EventDispatchInput {
  /** Set when continued as new: the outbox was watched without a gap, so only new deliveries matter. */
  resumed?: boolean;
}

const outbox = proxyActivities<EventActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * Watches the outbox and wakes each subscription's delivery workflow when deliveries are raised for it (starting
 * it when it is not running). One per task queue; it sends nothing itself, so no subscriber can slow it.
 */
export async function eventDispatch(input: EventDispatchInput = {}): Promise<void> {
  let everything = !input.resumed;
  for (;;) {
    const waiting = await outbox.awaitDeliveries(everything);
    everything = false;
    await Promise.all(waiting.map(wake));
    if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof eventDispatch>({ resumed: true });
  }
}

async function wake({ subscriptionId, ...metadata }: WakeUp): Promise<void> {
  const workflowId = webhookWorkflowId(subscriptionId);
  try {
    await getExternalWorkflowHandle(workflowId).signal(deliveriesWaitingSignal);
    return;
  } catch {
    // Not running (terminated, or never started): start it; it looks for waiting deliveries first thing.
  }
  try {
    await startChild(webhookDelivery, {
      workflowId,
      args: [{ subscriptionId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      ...metadata,
    });
  } catch (err) {
    // Started meanwhile by the API, most likely; the next deliveries wake it either way.
    log.warn('could not start a delivery workflow', { workflowId, error: (err as Error).message });
  }
}
