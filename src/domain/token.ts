import { z } from 'zod';
import { text } from './text';

/** What a bearer token may do: `read` reads, `write` also changes jobs, postings and connectors' runs, `admin` also credentials, tokens, erasure and exports. */
export const Scope = z.enum(['read', 'write', 'admin']);
export type Scope = z.infer<typeof Scope>;

const RANK: Record<Scope, number> = { read: 0, write: 1, admin: 2 };

/** A token of scope `granted` may do what needs `needed`. */
export const allows = (granted: Scope, needed: Scope) => RANK[granted] >= RANK[needed];

export const TokenInput = z.object({ name: text().trim().min(1).max(100), scope: Scope }).strict();

export const ApiToken = z.object({
  id: text(),
  name: text(),
  scope: Scope,
  createdAt: text(),
  revokedAt: text().optional(),
});

export const NewApiToken = ApiToken.extend({ token: text().describe('shown once: only its SHA-256 is kept') });

export type TokenInput = z.infer<typeof TokenInput>;
export type ApiToken = z.infer<typeof ApiToken>;
