import pino, { type Logger } from 'pino';

/** Paths pino replaces with [redacted]: credentials in any object we log, and auth headers. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-signature"]',
  '*.apiKey',
  '*.password',
  '*.clientSecret',
  '*.secret',
  '*.accessKey',
  '*.token',
  'credentials',
  '*.credentials',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'jobrelay' } }, destination);
}

export type { Logger };
