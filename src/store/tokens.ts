import type { Selectable } from 'kysely';
import { newId } from '../domain/ids';
import type { Db } from './db';
import { newestFirst, type Page, type PageRequest, pageOf } from './paging';
import type { ApiTokensTable } from './schema';

export interface StoredToken {
  id: string;
  name: string;
  scope: string;
  createdAt: string;
  revokedAt?: string;
}

/** API tokens: kept as their SHA-256 only. */
export function createTokensRepository(db: Db) {
  return {
    async create(input: { name: string; scope: string; sha256: string }): Promise<StoredToken> {
      const row = await db
        .insertInto('api_tokens')
        .values({ id: newId('tok'), name: input.name, scope: input.scope, token_sha256: input.sha256 })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toToken(row);
    },

    /** The live (not revoked) token with this hash. */
    async findLive(sha256: string): Promise<StoredToken | undefined> {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_sha256', '=', sha256)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row && toToken(row);
    },

    async list(page: PageRequest): Promise<Page<StoredToken>> {
      const limit = page.limit ?? 50;
      return pageOf(await newestFirst(db.selectFrom('api_tokens').selectAll(), page, limit).execute(), limit, toToken);
    },

    /** Revokes once; a second revoke returns the token as it is. */
    async revoke(id: string): Promise<StoredToken | undefined> {
      await db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toToken(row);
    },
  };
}

export type TokensRepository = ReturnType<typeof createTokensRepository>;

function toToken(row: Selectable<ApiTokensTable>): StoredToken {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString(),
  };
}
