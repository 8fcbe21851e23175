import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger';

/** An error the API answers with its own status and a `{error, details}` body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

/** Turns any thrown error into JSON; never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message, details: err.details });
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    // The path only: query strings may carry secrets (a DirectApply token).
    if (status === 500) logger.error({ err, method: req.method, path: req.path }, 'request failed');
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
