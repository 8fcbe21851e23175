import { Context } from '@temporalio/activity';
import type { Deps } from '../src/deps';
import { subscriptionMetadata } from '../src/domain/workflow-summaries';
import { type Round, retryDelayMs } from '../src/events/pacer';
import { createWebhookSender } from '../src/events/sender';
import type { EventType, NewEvent } from '../src/events/types';
import type { DueDelivery } from '../src/store/webhooks';

/** The dispatcher's long poll: how often it looks at the outbox, and how long one activity waits before it returns. */
const POLL_EVERY_MS = 200;
const LONG_POLL_MS = 60_000;
/** Subjects delivered at once in a round (each subject's deliveries one after another). */
const LANES = 16;

/** A subscription whose delivery workflow should look for work: what to start it with when it is not running. */
export interface WakeUp {
  subscriptionId: string;
  staticSummary: string;
  staticDetails: string;
  memo: { summary: string };
}

/** Events out: raising an event from a workflow, the dispatcher's watch on the outbox, and delivering to subscribers. */
export function createEventActivities({ store, metrics, webhookOrigins }: Pick<Deps, 'store' | 'metrics' | 'webhookOrigins'>) {
  const send = createWebhookSender(webhookOrigins);
  const count = (eventType: EventType, result: 'delivered' | 'retrying' | 'failed') =>
    metrics.inc(
      'jobrelay_webhook_deliveries_total',
      'Webhook delivery attempts by event type and result (failed: given up after three days)',
      {
        event_type: eventType,
        result,
      },
    );

  /** One subject's deliveries in order, stopping at the first that fails (its later events wait behind it). */
  async function deliverSubject(
    deliveries: DueDelivery[],
    now: number,
    tally: { attempted: number; delivered: number; failedSubjects: number },
  ): Promise<void> {
    const activity = Context.current();
    for (const delivery of deliveries) {
      activity.heartbeat();
      // Looked up per delivery: a deletion or a rotation takes effect at once, not at the next round.
      const target = await store.webhooks.targetOf(delivery.id, new Date());
      if (!target) continue;
      const result = await send(target.url, delivery.event, target.secrets);
      await store.webhooks.recordAttempt(delivery.id, result, new Date(now + retryDelayMs(delivery.attempts + 1)));
      tally.attempted += 1;
      count(delivery.event.type, result.ok ? 'delivered' : 'retrying');
      if (!result.ok) {
        tally.failedSubjects += 1;
        return;
      }
      tally.delivered += 1;
    }
  }

  return {
    /** Writes an event a workflow raises (a sync run's end, a connector failing); idempotent by the event's key. */
    async raiseEvent(event: NewEvent): Promise<void> {
      await store.events.raise(event);
    },

    /**
     * Waits (up to a minute, heartbeating) until deliveries are raised, and names the subscriptions they are for.
     * `everything`: every subscription with deliveries waiting (a dispatcher starting over, or this call retried).
     */
    async awaitDeliveries(everything: boolean): Promise<WakeUp[]> {
      const activity = Context.current();
      const all = everything || activity.info.attempt > 1;
      const until = Date.now() + LONG_POLL_MS;
      for (;;) {
        const subscriptions = await store.webhooks.announce(all);
        if (subscriptions.length || Date.now() >= until) {
          return subscriptions.map((s) => ({ subscriptionId: s.id, ...subscriptionMetadata(s) }));
        }
        activity.heartbeat();
        await activity.sleep(POLL_EVERY_MS);
      }
    },

    /**
     * One round for a subscription: deliveries past their three days are failed; those due now are sent, subjects in
     * parallel and each subject's in order; a probe that went through makes every waiting delivery due again.
     * A subscriber's faults are recorded on each delivery, not thrown: only the store's faults fail this activity.
     */
    async deliverDue(subscriptionId: string, round: { limit: number; probe: boolean; now: number }): Promise<Round> {
      const now = new Date(round.now);
      if (!(await store.webhooks.target(subscriptionId, new Date())))
        return { gone: true, attempted: 0, delivered: 0, failedSubjects: 0, full: false, waiting: 0 };
      for (const type of await store.webhooks.expire(subscriptionId, now)) count(type, 'failed');
      const due = await store.webhooks.due(subscriptionId, { limit: round.limit, now, probe: round.probe });
      const bySubject = new Map<string, DueDelivery[]>();
      for (const d of due) bySubject.set(d.event.subject, [...(bySubject.get(d.event.subject) ?? []), d]);
      const lanes = [...bySubject.values()];
      const tally = { attempted: 0, delivered: 0, failedSubjects: 0 };
      await Promise.all(
        Array.from({ length: Math.min(LANES, lanes.length) }, async () => {
          for (let lane = lanes.shift(); lane; lane = lanes.shift()) await deliverSubject(lane, round.now, tally);
        }),
      );
      if (round.probe && tally.delivered > 0) await store.webhooks.release(subscriptionId);
      const waiting = await store.webhooks.waiting(subscriptionId, now);
      return { gone: false, ...tally, full: due.length === round.limit, waiting: waiting.count, nextDueAt: waiting.nextDueAt };
    },
  };
}

export type EventActivities = ReturnType<typeof createEventActivities>;
