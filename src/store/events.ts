import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { newId } from '../domain/ids';
import type { Posting } from '../domain/posting';
import { postingEvent } from '../events/catalog';
import type { EventBody, EventType, NewEvent } from '../events/types';
import type { Db } from './db';

/** Keys this long are stored as their digest, so a key listing a page's ids stays within an index row. */
const LONGEST_KEY = 200;
const storedKey = (key: string) => (key.length > LONGEST_KEY ? `sha256:${createHash('sha256').update(key).digest('hex')}` : key);

/**
 * Raises events: one statement writes each event once (by its key) and a delivery row for every live subscription
 * that asked for its type. `db` may be the transaction that made the change, so the change and its event commit
 * together. Cheap and idempotent: the raising workflow never waits on a subscriber.
 */
export async function raiseEvents(db: Db, events: Array<NewEvent | undefined>): Promise<void> {
  const unique = new Map<string, NewEvent>();
  for (const e of events) if (e) unique.set(storedKey(e.key), e);
  if (unique.size === 0) return;
  const rows = [...unique].map(([key, e]) => sql`(${newId('evt')}, ${key}, ${e.type}, ${e.subject}, ${JSON.stringify(e.data)}::jsonb)`);
  await sql`
    with raised as (
      insert into events (id, key, type, subject, data) values ${sql.join(rows)}
      on conflict (key) do nothing
      returning id, seq, type, subject
    )
    insert into webhook_deliveries (id, subscription_id, event_id, event_seq, event_type, subject)
    select 'dlv_' || replace(gen_random_uuid()::text, '-', ''), s.id, r.id, r.seq, r.type, r.subject
    from raised r
    join webhook_subscriptions s on s.deleted_at is null and s.event_types @> jsonb_build_array(r.type)
  `.execute(db);
}

/** A posting's recorded transition raises its event (live, expired, unposted, failed) in the same transaction. */
export async function raisePostingEvent(db: Db, posting: Posting, historyKind: string, job?: { title: string }): Promise<void> {
  const event = postingEvent(posting, historyKind, undefined);
  if (!event) return;
  const title = job ? job.title : (await db.selectFrom('jobs').select('title').where('id', '=', posting.jobId).executeTakeFirst())?.title;
  await raiseEvents(db, [postingEvent(posting, historyKind, title)]);
}

/** The outbox. */
export function createEventsRepository(db: Db) {
  return {
    raise: (events: NewEvent | Array<NewEvent | undefined> | undefined) => raiseEvents(db, Array.isArray(events) ? events : [events]),

    /** The event as a delivery's body carries it. */
    async body(eventId: string): Promise<EventBody | undefined> {
      const row = await db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirst();
      return row && toBody(row);
    },

    /** Events of a subject, oldest first (tests, and an operator's look at what was raised). */
    async ofSubject(subject: string): Promise<EventBody[]> {
      const rows = await db.selectFrom('events').selectAll().where('subject', '=', subject).orderBy('seq').execute();
      return rows.map(toBody);
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;

export function toBody(row: { id: string; type: string; occurred_at: Date; subject: string; data: Record<string, unknown> }): EventBody {
  return { id: row.id, type: row.type as EventType, occurredAt: row.occurred_at.toISOString(), subject: row.subject, data: row.data };
}
