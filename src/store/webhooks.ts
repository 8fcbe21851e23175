import { type Selectable, sql } from 'kysely';
import type { SecretBox } from '../crypto/secrets';
import { newId } from '../domain/ids';
import type { EventBody, EventType } from '../events/types';
import type { Db } from './db';
import { toBody } from './events';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { WebhookDeliveriesTable, WebhookSubscriptionsTable } from './schema';

export interface Subscription {
  id: string;
  url: string;
  eventTypes: EventType[];
  description?: string;
  /** Until then the secret rotated away still signs deliveries too. */
  previousSecretExpiresAt?: string;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: EventType;
  subject: string;
  state: DeliveryState;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  createdAt: string;
}

/** A delivery to attempt now, with the event it carries. */
export interface DueDelivery {
  id: string;
  /** Attempts made before this one. */
  attempts: number;
  event: EventBody;
}

export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
}

/** Webhook subscriptions (their signing secrets sealed) and their deliveries, one per event raised for them. */
export function createWebhooksRepository(db: Db, secrets: SecretBox) {
  const live = () => db.selectFrom('webhook_subscriptions').selectAll().where('deleted_at', 'is', null);
  const targetOf = (row: Selectable<WebhookSubscriptionsTable>, now: Date) => {
    const current = secrets.open<string>(row.secret);
    const previous =
      row.previous_secret && row.previous_secret_expires_at && row.previous_secret_expires_at > now ? row.previous_secret : undefined;
    return { url: row.url, secrets: previous ? [current, secrets.open<string>(previous)] : [current] };
  };

  return {
    async create(input: { url: string; eventTypes: EventType[]; description?: string; secret: string }): Promise<Subscription> {
      const row = await db
        .insertInto('webhook_subscriptions')
        .values({
          id: newId('whs'),
          url: input.url,
          event_types: JSON.stringify(input.eventTypes),
          description: input.description ?? null,
          secret: secrets.seal(input.secret),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSubscription(row);
    },

    async get(id: string): Promise<Subscription | undefined> {
      const row = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSubscription(row);
    },

    async list(page: PageRequest): Promise<Page<Subscription>> {
      const limit = page.limit ?? 50;
      return pageOf(await newestFirst(live(), page, limit).execute(), limit, toSubscription);
    },

    async hasLive(): Promise<boolean> {
      return Boolean(await live().select('id').limit(1).executeTakeFirst());
    },

    /** Where a live subscription's deliveries go and the secrets that sign them (the current one first). */
    async target(id: string, now: Date): Promise<{ url: string; secrets: string[] } | undefined> {
      const row = await live().where('id', '=', id).executeTakeFirst();
      return row && targetOf(row, now);
    },

    /** The target of a delivery that still waits (not cancelled by a deletion, nor delivered meanwhile), just before it is sent. */
    async targetOf(deliveryId: string, now: Date): Promise<{ url: string; secrets: string[] } | undefined> {
      const row = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .selectAll('s')
        .where('d.id', '=', deliveryId)
        .where('d.state', '=', 'pending')
        .where('s.deleted_at', 'is', null)
        .executeTakeFirst();
      return row && targetOf(row, now);
    },

    /** A new signing secret; the one it replaces keeps signing too until `graceUntil`. */
    async rotate(id: string, secret: string, graceUntil: Date): Promise<Subscription | undefined> {
      const row = await db
        .updateTable('webhook_subscriptions')
        .set((eb) => ({
          previous_secret: eb.ref('secret'),
          previous_secret_expires_at: graceUntil,
          secret: secrets.seal(secret),
          updated_at: new Date(),
        }))
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return row && toSubscription(row);
    },

    /** Ends a subscription: nothing more is delivered to it (its waiting deliveries are cancelled). Twice changes nothing. */
    async delete(id: string): Promise<Subscription | undefined> {
      return db.transaction().execute(async (tx) => {
        await tx
          .updateTable('webhook_subscriptions')
          .set({ deleted_at: new Date() })
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .execute();
        await tx
          .updateTable('webhook_deliveries')
          .set({ state: 'cancelled' })
          .where('subscription_id', '=', id)
          .where('state', '=', 'pending')
          .execute();
        const row = await tx.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toSubscription(row);
      });
    },

    /**
     * The live subscriptions with deliveries raised since the last call (each delivery is announced once), or,
     * with `all`, every live subscription with a delivery waiting (a dispatcher that starts over).
     */
    async announce(all = false): Promise<Subscription[]> {
      const announced = await db
        .updateTable('webhook_deliveries')
        .set({ announced: true })
        .where('announced', '=', false)
        .returning('subscription_id')
        .execute();
      const ids = new Set(announced.map((r) => r.subscription_id));
      if (all) {
        const waiting = await db
          .selectFrom('webhook_deliveries')
          .select('subscription_id')
          .distinct()
          .where('state', '=', 'pending')
          .execute();
        for (const r of waiting) ids.add(r.subscription_id);
      }
      if (ids.size === 0) return [];
      return (
        await live()
          .where('id', 'in', [...ids])
          .execute()
      ).map(toSubscription);
    },

    /**
     * The deliveries to attempt now, in the order their events were raised. A subject whose oldest waiting delivery is
     * not due yet (it failed and backs off) is skipped whole, so its later events wait behind it. `probe`: one
     * delivery, due or not, for a subscriber that seems down: the first waiting of its subject, the least tried.
     */
    async due(subscriptionId: string, { limit, now, probe }: { limit: number; now: Date; probe: boolean }): Promise<DueDelivery[]> {
      const rows = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('events as e', 'e.id', 'd.event_id')
        .select(['d.id', 'd.attempts', 'e.id as event_id', 'e.type', 'e.occurred_at', 'e.subject', 'e.data'])
        .where('d.subscription_id', '=', subscriptionId)
        .where('d.state', '=', 'pending')
        .where(({ not, exists, selectFrom }) => {
          const ahead = selectFrom('webhook_deliveries as b')
            .select('b.id')
            .whereRef('b.subscription_id', '=', 'd.subscription_id')
            .whereRef('b.subject', '=', 'd.subject')
            .where('b.state', '=', 'pending');
          return not(
            exists(
              probe
                ? ahead.whereRef('b.event_seq', '<', 'd.event_seq')
                : ahead.whereRef('b.event_seq', '<=', 'd.event_seq').where('b.next_attempt_at', '>', now),
            ),
          );
        })
        .$if(probe, (q) => q.orderBy('d.attempts'))
        .orderBy('d.event_seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, attempts: r.attempts, event: toBody({ ...r, id: r.event_id }) }));
    },

    /** Records one attempt; a failed one waits until `retryAt`. A delivery cancelled meanwhile stays cancelled. */
    async recordAttempt(deliveryId: string, result: AttemptResult, retryAt: Date): Promise<void> {
      const at = new Date();
      await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_status_code: result.statusCode ?? null,
          last_error: result.ok ? null : (result.error ?? null),
          last_attempt_at: at,
          ...(result.ok ? { state: 'delivered', delivered_at: at } : { next_attempt_at: retryAt }),
        }))
        .where('id', '=', deliveryId)
        .where('state', '=', 'pending')
        .execute();
    },

    /** The subscriber answers again: every waiting delivery is due now. */
    async release(subscriptionId: string): Promise<void> {
      await db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: null })
        .where('subscription_id', '=', subscriptionId)
        .where('state', '=', 'pending')
        .execute();
    },

    /** Waiting deliveries past their deadline (three days after they were raised or redelivered) are failed; their types. */
    async expire(subscriptionId: string, now: Date): Promise<EventType[]> {
      const rows = await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ state: 'failed', last_error: eb.fn.coalesce('last_error', sql<string>`'not delivered in time'`) }))
        .where('subscription_id', '=', subscriptionId)
        .where('state', '=', 'pending')
        .where('deadline_at', '<=', now)
        .returning('event_type')
        .execute();
      return rows.map((r) => r.event_type as EventType);
    },

    /** How many deliveries wait, and when the first of those backing off is due again. */
    async waiting(subscriptionId: string, now: Date): Promise<{ count: number; nextDueAt?: number }> {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.min(eb.case().when('next_attempt_at', '>', now).then(eb.ref('next_attempt_at')).end()).as('next'),
        ])
        .where('subscription_id', '=', subscriptionId)
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow();
      const next = row.next as Date | null;
      return { count: Number(row.n), ...(next && { nextDueAt: new Date(next).getTime() }) };
    },

    async deliveries(subscriptionId: string, filter: PageRequest & { state?: DeliveryState; eventType?: string }): Promise<Page<Delivery>> {
      const limit = filter.limit ?? 50;
      let q = newestFirst(db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', subscriptionId), filter, limit);
      if (filter.state) q = q.where('state', '=', filter.state);
      if (filter.eventType) q = q.where('event_type', '=', filter.eventType);
      return pageOf(await q.execute(), limit, toDelivery);
    },

    /** How many deliveries are in each state. */
    async counts(subscriptionId: string): Promise<Record<DeliveryState, number>> {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
        .where('subscription_id', '=', subscriptionId)
        .groupBy('state')
        .execute();
      const counts: Record<DeliveryState, number> = { pending: 0, delivered: 0, failed: 0, cancelled: 0 };
      for (const r of rows) counts[r.state as DeliveryState] = Number(r.n);
      return counts;
    },

    /** The event goes again (delivered or failed alike): due now, with a fresh three days. Undefined when never raised for it. */
    async redeliver(subscriptionId: string, eventId: string): Promise<Delivery | undefined> {
      const row = await db
        .updateTable('webhook_deliveries')
        .set({
          state: 'pending',
          next_attempt_at: null,
          deadline_at: sql`now() + interval '3 days'`,
          delivered_at: null,
          announced: true,
        })
        .where('subscription_id', '=', subscriptionId)
        .where('event_id', '=', eventId)
        .returningAll()
        .executeTakeFirst();
      return row && toDelivery(row);
    },
  };
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;

function toSubscription(row: Selectable<WebhookSubscriptionsTable>): Subscription {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types as EventType[],
    description: row.description ?? undefined,
    previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deletedAt: row.deleted_at?.toISOString(),
  };
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): Delivery {
  const pending = row.state === 'pending';
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type as EventType,
    subject: row.subject,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code ?? undefined,
    lastError: row.last_error ?? undefined,
    lastAttemptAt: row.last_attempt_at?.toISOString(),
    nextAttemptAt: pending ? row.next_attempt_at?.toISOString() : undefined,
    deliveredAt: row.delivered_at?.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}
