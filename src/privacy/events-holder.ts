import { type ExpressionBuilder, sql } from 'kysely';
import { toBody } from '../store/events';
import type { Database } from '../store/schema';
import type { PersonalDataHolder } from './holders';

/** An event that names the person: an application of theirs taken in, or a sync page that created or changed them. */
const namesCandidate = (candidateId: string) => (eb: ExpressionBuilder<Database, 'events'>) =>
  eb.or([
    eb(sql`data`, '@>', sql`${JSON.stringify({ candidateId })}::jsonb`),
    eb(sql`data`, '@>', sql`${JSON.stringify({ candidateIds: [candidateId] })}::jsonb`),
  ]);

/**
 * The outbox of events out. Events carry ids only, but an `application.created` also names the board's id of the
 * application, which erasure rewrites to `erased:<applicationId>` as it does on the application itself (a later
 * redelivery carries it so). The export shows each event naming the person and the subscriptions it went to.
 */
export const candidateEvents: PersonalDataHolder = {
  name: 'events',
  tables: ['events'],
  holds: 'events out naming the person’s candidate id, and for `application.created` the board’s id of the application',
  async export(db, { candidateId }) {
    const rows = await db.selectFrom('events').selectAll().where(namesCandidate(candidateId)).orderBy('seq').execute();
    const sent = rows.length
      ? await db
          .selectFrom('webhook_deliveries')
          .select(['event_id', 'subscription_id', 'state', 'delivered_at'])
          .where(
            'event_id',
            'in',
            rows.map((e) => e.id),
          )
          .execute()
      : [];
    return rows.map((e) => ({
      ...toBody(e),
      deliveries: sent
        .filter((d) => d.event_id === e.id)
        .map((d) => ({ subscriptionId: d.subscription_id, state: d.state, deliveredAt: d.delivered_at?.toISOString() })),
    }));
  },
  async erase(tx, { candidateId }) {
    const done = await tx
      .updateTable('events')
      .set({ data: sql`jsonb_set(data, '{externalId}', to_jsonb('erased:' || (data ->> 'applicationId')))` })
      .where(namesCandidate(candidateId))
      .where('type', '=', 'application.created')
      .where(sql`data ->> 'externalId'`, 'not like', 'erased:%')
      .executeTakeFirst();
    return Number(done.numUpdatedRows);
  },
};
