import type { Kysely } from 'kysely';

/**
 * Credentials are bound to the origin (scheme, host, port) they were saved for: a client refuses to send them
 * anywhere else. Rows saved before this migration are bound to the origin their settings pointed at then.
 * The defaults below are the providers' production APIs as they stood when this migration was written.
 */
const DEFAULT_ORIGINS: Record<string, string> = { lever: 'https://api.lever.co', 'cv-library': 'https://api.cv-library.co.uk' };

// biome-ignore lint/suspicious/noExplicitAny: a migration works on the tables as they were then, not on today's types
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['connectors', 'board_settings', 'board_accounts', 'postings']) {
    await db.schema
      .alterTable(table)
      .addColumn(table === 'postings' ? 'board_origin' : 'credentials_origin', 'text')
      .execute();
  }
  const originOf = (baseUrl: unknown, provider: string) => {
    try {
      return new URL(String(baseUrl)).origin;
    } catch {
      return DEFAULT_ORIGINS[provider] ?? null;
    }
  };
  for (const c of await db.selectFrom('connectors').select(['id', 'provider', 'settings']).execute()) {
    await db
      .updateTable('connectors')
      .set({ credentials_origin: originOf(c.settings?.baseUrl, c.provider) })
      .where('id', '=', c.id)
      .execute();
  }
  for (const b of await db.selectFrom('board_settings').select(['board', 'settings']).execute()) {
    const origin = originOf(b.settings?.baseUrl, b.board);
    await db.updateTable('board_settings').set({ credentials_origin: origin }).where('board', '=', b.board).execute();
    await db.updateTable('board_accounts').set({ credentials_origin: origin }).where('board', '=', b.board).execute();
    // A live posting went up on the board's origin of the day (its DirectApply token went there).
    await db
      .updateTable('postings')
      .set({ board_origin: origin })
      .where('board', '=', b.board)
      .where('external_id', 'is not', null)
      .execute();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: as above
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['connectors', 'board_settings', 'board_accounts'])
    await db.schema.alterTable(table).dropColumn('credentials_origin').execute();
  await db.schema.alterTable('postings').dropColumn('board_origin').execute();
}
