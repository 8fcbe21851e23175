import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken, Scope, TokenInput } from '../domain/token';
import type { Store } from '../store';

/** Who called: the token's id (env tokens: `env:<n>`) and its scope. */
export interface Principal {
  tokenId: string;
  scope: Scope;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Bearer tokens: those of `JOBRELAY_API_TOKEN` (and the one `npm start` generates) are admin; others are made,
 * listed and revoked through the API, and only their SHA-256 is stored.
 */
export function createTokensService(store: Store, configured: string[]) {
  const fromEnv = new Map(configured.map((token, i) => [sha256(token), { tokenId: `env:${i + 1}`, scope: 'admin' as const }]));
  return {
    async verify(token: string): Promise<Principal | undefined> {
      const hash = sha256(token);
      const env = fromEnv.get(hash);
      if (env) return env;
      const stored = await store.tokens.findLive(hash);
      return stored && { tokenId: stored.id, scope: stored.scope as Scope };
    },

    async create(input: TokenInput): Promise<ApiToken & { token: string }> {
      const token = `jr_${randomBytes(24).toString('base64url')}`;
      const stored = await store.tokens.create({ name: input.name, scope: input.scope, sha256: sha256(token) });
      return { ...(stored as ApiToken), token };
    },

    list: (page: { limit?: number; cursor?: string }) => store.tokens.list(page) as Promise<{ items: ApiToken[]; nextCursor?: string }>,

    revoke: (id: string) => store.tokens.revoke(id) as Promise<ApiToken | undefined>,
  };
}

export type TokensService = ReturnType<typeof createTokensService>;
