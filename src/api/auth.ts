import type { RequestHandler } from 'express';
import { safeEqual } from '../crypto/secrets';
import { HttpError } from './errors';

/** Bearer-token auth: any of the configured tokens, compared in constant time. */
export function bearerAuth(tokens: string[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !tokens.some((t) => safeEqual(t, match[1].trim()))) {
      next(new HttpError(401, 'missing or invalid bearer token'));
      return;
    }
    next();
  };
}
