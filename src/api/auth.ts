import type { RequestHandler, Response } from 'express';
import { allows, type Scope } from '../domain/token';
import { TokenBucket } from '../providers/rate-limit';
import type { Principal } from '../services/tokens';
import { HttpError } from './errors';

export interface RateLimit {
  /** Requests per second per token, steady. */
  perSecond: number;
  /** Requests a token may make at once after a quiet spell. */
  burst: number;
}

/**
 * Bearer-token auth on `/v1`: the token is looked up by its hash (configured tokens are admin), then held to its
 * own rate limit (429 with Retry-After). The route checks the scope it declared.
 */
export function bearerAuth(tokens: { verify(token: string): Promise<Principal | undefined> }, limit: RateLimit): RequestHandler {
  const buckets = new Map<string, TokenBucket>();
  const retryAfterSeconds = String(Math.max(1, Math.ceil(1 / limit.perSecond)));
  return async (req, res, next) => {
    try {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      const principal = match ? await tokens.verify(match[1]) : undefined;
      if (!principal) throw new HttpError(401, 'missing or invalid bearer token');
      const bucket = buckets.get(principal.tokenId) ?? new TokenBucket(limit);
      buckets.set(principal.tokenId, bucket);
      if (!bucket.tryTake()) {
        res.set('Retry-After', retryAfterSeconds);
        throw new HttpError(429, 'too many requests for this token: slow down');
      }
      res.locals.principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** Refuses (403) a caller whose token's scope does not cover what the route needs. */
export function requireScope(res: Response, needed: Scope): void {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new HttpError(401, 'missing or invalid bearer token');
  if (!allows(principal.scope, needed))
    throw new HttpError(403, `this needs a token with scope "${needed}" (this one has "${principal.scope}")`);
}

/** The caller's token id (never the token), for audit records. */
export function callerOf(res: Response): string {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new HttpError(401, 'missing or invalid bearer token');
  return principal.tokenId;
}
