import type { Kysely } from 'kysely';

/**
 * A person can be erased by their email or phone + surname alone (a request by identity), when no candidate holds
 * them: only a sourcing tool's delivery into an ATS, or a board's delivery still waiting. Their keyed hashes are
 * kept as any erased person's are, with no candidate to point at.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('erased_identities')
    .alterColumn('candidate_id', (c) => c.dropNotNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db
    .deleteFrom('erased_identities' as never)
    .where('candidate_id' as never, 'is', null)
    .execute();
  await db.schema
    .alterTable('erased_identities')
    .alterColumn('candidate_id', (c) => c.setNotNull())
    .execute();
}
