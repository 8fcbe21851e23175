// What jobrelay tells the services around it. Pure, no runtime imports: workflow code builds events too.

/** Every event type a subscription may ask for. */
export const EVENT_TYPES = [
  'posting.live',
  'posting.failed',
  'posting.expired',
  'posting.unposted',
  'application.created',
  'candidate.created',
  'candidate.updated',
  'sync.completed',
  'sync.failing',
  'status_sync.completed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * An event as the write that made the change raises it. `key` makes raising idempotent: the same change raised
 * again (an activity retry) is stored once. `subject` names what it concerns; a subscriber gets each subject's
 * events in the order they were raised. `data` holds ids and a small summary, never a CV and no more personal
 * data than the type needs.
 */
export interface NewEvent {
  key: string;
  type: EventType;
  subject: string;
  data: Record<string, unknown>;
}

/** The JSON body of a delivery. `id` is the receiver's idempotency key: a redelivery carries the same id. */
export interface EventBody {
  id: string;
  type: EventType;
  occurredAt: string;
  subject: string;
  data: Record<string, unknown>;
}

/** A subscription's delivery workflow: one per subscription, for as long as it lives. */
export const webhookWorkflowId = (subscriptionId: string) => `webhook:${subscriptionId}`;

/** The workflow that wakes delivery workflows as events are raised: one per task queue. */
export const dispatchWorkflowId = (taskQueue: string) => `events:dispatch:${taskQueue}`;
