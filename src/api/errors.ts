import type { ErrorRequestHandler } from 'express';
import {
  ConflictError,
  DomainError,
  GoneError,
  InvalidError,
  NotFoundError,
  ProviderUnreachableError,
  RefusedError,
  UnavailableError,
} from '../domain/errors';
import type { Logger } from '../logger';
import { inputFault } from '../store/errors';

/** An error the API answers with its own status and a `{error, details}` body (auth, routing, request parsing). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The one place domain errors become HTTP statuses. */
function statusOf(err: DomainError): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof InvalidError) return 400;
  if (err instanceof ConflictError) return 409;
  if (err instanceof RefusedError) return 422;
  if (err instanceof GoneError) return 410;
  if (err instanceof UnavailableError) return 503;
  if (err instanceof ProviderUnreachableError) return 502;
  return 500;
}

/** The answer for an error the API knows (HTTP or domain), or undefined for anything else. */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) return new HttpError(statusOf(err), err.message, err.details);
  return undefined;
}

/** Turns any thrown error into JSON; never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err);
    if (known) {
      res.status(known.status).json({ error: known.message, details: known.details });
      return;
    }
    // A value the store cannot take (NUL, an index row over 8 KiB, a duplicate) is the caller's to fix: 4xx.
    const fault = inputFault(err);
    if (fault) {
      res.status(fault.status).json({ error: fault.message });
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    // The route's pattern only: query strings carry secrets (a DirectApply token), paths personal data (an email).
    if (status === 500) logger.error({ err, method: req.method, route: req.route?.path ?? 'unmatched' }, 'request failed');
    const message =
      err?.type === 'entity.too.large'
        ? 'request body too large'
        : err?.type === 'entity.parse.failed'
          ? 'malformed JSON body'
          : status === 500
            ? 'internal error'
            : String(err.message ?? 'bad request');
    res.status(status).json({ error: message });
  };
}
