import type { Kysely } from 'kysely';

/**
 * What a staged CV's bytes turned out to be, decided once when the delivery is staged, so the intake copies the
 * bytes into the candidate's documents inside the database instead of reading them back to look again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('intake_deliveries').addColumn('cv_verdict', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('intake_deliveries').dropColumn('cv_verdict').execute();
}
