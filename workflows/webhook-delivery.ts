import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { EventActivities } from '../activities/events';
import { deliveryState } from '../src/domain/workflow-summaries';
import { DeliveryPacer, IDLE_CHECK_MS, type PacerSnapshot } from '../src/events/pacer';

export interface WebhookDeliveryInput {
  subscriptionId: string;
  /** Carried across continue-as-new. */
  pacer?: PacerSnapshot;
}

/** New deliveries were raised for the subscription (the dispatcher). */
export const deliveriesWaitingSignal = defineSignal('deliveriesWaiting');
/** An operator asked for a redelivery: try now, even a subscriber that seems down. */
export const redeliverSignal = defineSignal('redeliver');
/** The subscription was deleted: its waiting deliveries are cancelled and nothing more goes out. */
export const subscriptionDeletedSignal = defineSignal('subscriptionDeleted');

const deliveries = proxyActivities<EventActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  // A subscriber's faults are recorded per delivery and paced here; only store faults fail the activity, and those
  // are retried for as long as they last (deliveries wait in the store meanwhile).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A subscription's deliveries, for as long as it lives: rounds of due deliveries (subjects in parallel, each in
 * order), each attempt recorded, failures retried with backoff for three days; a subscriber that seems down is
 * probed with one delivery until it answers, then receives everything that waited. Its own workflow, so a slow
 * subscriber holds up no other, and none of the workflows that raised the events.
 */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<void> {
  const pacer = new DeliveryPacer(input.pacer);
  setHandler(deliveriesWaitingSignal, () => pacer.wake());
  setHandler(redeliverSignal, () => pacer.urge());
  setHandler(subscriptionDeletedSignal, () => pacer.stop());
  let delivered = 0;
  let wasDown: boolean | undefined;

  while (!pacer.stopped) {
    const round = await deliveries.deliverDue(input.subscriptionId, { ...pacer.nextRound(), now: Date.now() });
    if (round.gone) break;
    pacer.record(round, Date.now());
    delivered += round.delivered;
    setCurrentDetails(deliveryState({ delivered, waiting: round.waiting, ...pacer.snapshot() }));
    if (pacer.down !== wasDown) upsertMemo({ subscriber: pacer.down ? 'seems down' : 'answering' });
    wasDown = pacer.down;

    const wait = pacer.msUntilNextRound(round, Date.now());
    if (wait !== 0) await condition(() => pacer.interrupted, wait ?? IDLE_CHECK_MS);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof webhookDelivery>({ subscriptionId: input.subscriptionId, pacer: pacer.snapshot() });
    }
  }
}
