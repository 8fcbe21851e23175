import { z } from 'zod';
import { EVENT_TYPES } from '../events/types';
import { PageQuery } from './job';
import { httpUrl, text } from './text';

export const EventTypeName = z.enum(EVENT_TYPES);

/** `POST /v1/webhook-subscriptions`. */
export const WebhookSubscriptionInput = z
  .object({
    url: httpUrl().describe('https (http only to an operator-allowed loopback origin); its address must be public unless allowed'),
    eventTypes: z
      .array(EventTypeName)
      .min(1)
      .refine((types) => new Set(types).size === types.length, 'each event type once')
      .describe('the event types delivered to it'),
    description: text().trim().max(200).optional(),
  })
  .strict();

export const DeliveryCounts = z.object({ pending: z.number(), delivered: z.number(), failed: z.number(), cancelled: z.number() });

export const WebhookSubscription = z.object({
  id: text(),
  url: text(),
  eventTypes: z.array(EventTypeName),
  description: text().optional(),
  workflowId: text().describe('its delivery workflow in Temporal'),
  previousSecretExpiresAt: text().optional().describe('until then deliveries are signed with the rotated-away secret too'),
  deliveries: DeliveryCounts.optional(),
  createdAt: text(),
  updatedAt: text(),
  deletedAt: text().optional(),
});

export const NewWebhookSubscription = WebhookSubscription.extend({
  secret: text().describe('the signing secret, shown this once (kept encrypted; never shown again)'),
});

/** `POST /v1/webhook-subscriptions/:id/rotate-secret`. */
export const RotateSecret = z
  .object({
    graceHours: z.number().int().min(0).max(168).default(24).describe('how long the old secret keeps signing deliveries too'),
  })
  .strict();

export const DeliveryState = z.enum(['pending', 'delivered', 'failed', 'cancelled']);

export const WebhookDelivery = z.object({
  id: text(),
  subscriptionId: text(),
  eventId: text().describe('the receiver’s idempotency key'),
  eventType: EventTypeName,
  subject: text(),
  state: DeliveryState,
  attempts: z.number(),
  lastStatusCode: z.number().optional(),
  lastError: text().optional(),
  lastAttemptAt: text().optional(),
  nextAttemptAt: text().optional(),
  deliveredAt: text().optional(),
  createdAt: text(),
});

export const DeliveriesQuery = PageQuery.extend({ state: DeliveryState.optional(), eventType: EventTypeName.optional() });

export type WebhookSubscriptionInput = z.infer<typeof WebhookSubscriptionInput>;
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;
