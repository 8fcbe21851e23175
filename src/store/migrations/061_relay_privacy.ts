import type { Kysely } from 'kysely';

// A relay delivery's person, recognisable after the delivery drops their fields: keyed hashes (HMAC under the
// server key, as in erased_identities) of their email and of their phone + surname, so erasing a candidate finds
// the deliveries of the same person (and erases them too) without the store keeping who they were.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('relay_deliveries').addColumn('email_key', 'text').addColumn('phone_key', 'text').execute();
  await db.schema.createIndex('relay_deliveries_email_key').on('relay_deliveries').column('email_key').execute();
  await db.schema.createIndex('relay_deliveries_phone_key').on('relay_deliveries').column('phone_key').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('relay_deliveries_phone_key').execute();
  await db.schema.dropIndex('relay_deliveries_email_key').execute();
  await db.schema.alterTable('relay_deliveries').dropColumn('email_key').dropColumn('phone_key').execute();
}
