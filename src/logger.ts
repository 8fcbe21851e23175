import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
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
  'apiKey',
  'password',
  'clientSecret',
  'secret',
  'token',
];

/**
 * Keys whose values never reach a log, at any depth: credentials, and the personal data of candidates and
 * recruiters. `params`/`parameters` are SQL parameters a database driver attaches to its errors.
 */
const REDACTED_KEYS =
  /^(password|secret|clientsecret|apikey|accesskey|token|authorization|cookie|x-signature|credentials|email|phone|telephone|first_?name|last_?name|surname|postcode|params|parameters|query)$/i;
const REDACTED = '[redacted]';

/** An error as a log may show it: its kind, message, code and stack, never the request, config or parameters it carries. */
export function safeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return scrub(err, depth + 1);
  const { code, status, type } = err as { code?: unknown; status?: unknown; type?: unknown };
  return {
    type: typeof type === 'string' ? type : err.name,
    message: err.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
    stack: err.stack,
    ...(err.cause !== undefined && depth < 3 ? { cause: safeError(err.cause, depth + 1) } : {}),
  };
}

/** A copy of a log record's fields with every redacted key replaced and every error reduced to `safeError`. */
export function scrub(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return safeError(value, depth);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[deep]';
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, REDACTED_KEYS.test(k) && v !== undefined && v !== null ? REDACTED : scrub(v, depth + 1)]),
  );
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { app: 'jobrelay' },
      serializers: { err: (e) => safeError(e), error: (e) => safeError(e) },
      formatters: { log: (fields) => scrub(fields) as Record<string, unknown> },
    },
    destination,
  );
}

const PINO_LEVEL: Record<LogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal runtime's logger (worker, activities, workflow `log`) writing through ours, so the same redaction
 * applies: an activity failing on a database write is logged without the write's parameters.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[PINO_LEVEL[level]]({ temporal: meta ?? {} }, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

export type { Logger };

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One readable line per record for a person at a terminal (`npm start`); pipes and files keep JSON. */
export const prettyDestination: pino.DestinationStream = {
  write(line: string) {
    try {
      const { level, time, msg, app: _app, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      process.stdout.write(
        `${new Date(Number(time)).toISOString().slice(11, 19)} ${LEVELS[Number(level)] ?? level} ${msg}${fields ? `  ${fields}` : ''}\n`,
      );
    } catch {
      process.stdout.write(line);
    }
  },
};
