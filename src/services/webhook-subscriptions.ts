import { randomBytes } from 'node:crypto';
import { notFound, RefusedError, UnavailableError } from '../domain/errors';
import type { WebhookSubscription, WebhookSubscriptionInput } from '../domain/webhooks';
import { webhookWorkflowId } from '../events/types';
import { ANY_PUBLIC_ORIGIN, type OriginPolicy } from '../providers/origins';
import type { Store } from '../store';
import type { PageRequest } from '../store/paging';
import type { DeliveryState, Subscription } from '../store/webhooks';
import type { EventWorkflows } from '../temporal/events';

const HOUR_MS = 60 * 60_000;

/** Webhook subscriptions: where events go, signed with a secret shown once; their deliveries, and redelivery. */
export function createWebhookSubscriptionsService(store: Store, workflows: EventWorkflows, origins: OriginPolicy) {
  async function mustGet(id: string): Promise<Subscription> {
    const subscription = await store.webhooks.get(id);
    if (!subscription || subscription.deletedAt) throw notFound('webhook subscription');
    return subscription;
  }

  const view = (s: Subscription, deliveries?: WebhookSubscription['deliveries']): WebhookSubscription => ({
    ...s,
    workflowId: webhookWorkflowId(s.id),
    ...(deliveries && { deliveries }),
  });

  const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

  return {
    /** Stored, and its delivery workflow running, before the answer; the secret is in this answer only. */
    async create(input: WebhookSubscriptionInput): Promise<WebhookSubscription & { secret: string }> {
      const refused = origins.refusal(ANY_PUBLIC_ORIGIN, input.url);
      if (refused) throw new RefusedError(`url: ${refused}`);
      const secret = newSecret();
      const subscription = await store.webhooks.create({ ...input, secret });
      try {
        await workflows.startDispatcher();
        await workflows.startDeliveries(subscription);
      } catch {
        await store.webhooks.delete(subscription.id);
        throw new UnavailableError('Temporal did not start the subscription’s deliveries: nothing was saved, try again later');
      }
      return { ...view(subscription), secret };
    },

    async list(page: PageRequest): Promise<{ items: WebhookSubscription[]; nextCursor?: string }> {
      const { items, nextCursor } = await store.webhooks.list(page);
      return { items: items.map((s) => view(s)), nextCursor };
    },

    async get(id: string): Promise<WebhookSubscription> {
      return view(await mustGet(id), await store.webhooks.counts(id));
    },

    /** Nothing more is delivered (waiting deliveries are cancelled); the answer says so whether or not Temporal heard. */
    async delete(id: string): Promise<WebhookSubscription> {
      await mustGet(id);
      const deleted = await store.webhooks.delete(id);
      if (!deleted) throw notFound('webhook subscription');
      await workflows.stop(id);
      return view(deleted, await store.webhooks.counts(id));
    },

    /** A new secret, shown once; the old one signs deliveries too for `graceHours`. */
    async rotateSecret(id: string, graceHours: number): Promise<WebhookSubscription & { secret: string }> {
      await mustGet(id);
      const secret = newSecret();
      const rotated = await store.webhooks.rotate(id, secret, new Date(Date.now() + graceHours * HOUR_MS));
      if (!rotated) throw notFound('webhook subscription');
      return { ...view(rotated), secret };
    },

    async deliveries(id: string, filter: PageRequest & { state?: DeliveryState; eventType?: string }) {
      await mustGet(id);
      return store.webhooks.deliveries(id, filter);
    },

    /** The event goes to the subscriber again (same id), now; visible in its deliveries. */
    async redeliver(id: string, eventId: string) {
      const subscription = await mustGet(id);
      const delivery = await store.webhooks.redeliver(id, eventId);
      if (!delivery) throw notFound('delivery of that event to this subscription');
      try {
        await workflows.redeliver(subscription);
      } catch {
        // The delivery waits in the store and goes with the subscription's next round (a new event, or its idle check).
        throw new UnavailableError('Temporal did not take the redelivery now: the event waits and goes with the next round');
      }
      return delivery;
    },
  };
}

export type WebhookSubscriptionsService = ReturnType<typeof createWebhookSubscriptionsService>;
