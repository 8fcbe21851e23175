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

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'jobrelay' } }, destination);
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
