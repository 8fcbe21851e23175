import { z } from 'zod';
import { text } from './text';

export const ConnectorState = z.enum(['active', 'paused', 'failing']);

/** Whether the runtime knows the IANA time zone (its own tz database decides). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const SweepSettings = z
  .object({
    enabled: z.boolean().default(true).describe('off: no sweep runs (a resync still can)'),
    timeOfDay: text()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour')
      .default('03:00')
      .describe('local time of day in timeZone'),
    timeZone: text()
      .max(100)
      .refine(isTimeZone, 'not an IANA time zone (e.g. Europe/Warsaw)')
      .default('UTC')
      .describe('IANA time zone; daylight saving changes do not move the local time'),
  })
  .strict()
  .describe('the reconciling sweep: daily, at a local time of day; it walks every record to repair and find deletions');

export type SweepSettings = z.infer<typeof SweepSettings>;

/** `POST /v1/connectors`: settings and credentials are validated by the provider's own schemas. */
export const ConnectorInput = z.object({
  provider: text().min(1).describe('lever, smartrecruiters, …'),
  name: text().trim().min(1).max(200),
  settings: z
    .record(text(), z.unknown())
    .describe('the provider’s settings: the schema `<provider>.settings` under components.schemas (e.g. lever.settings)'),
  credentials: z
    .record(text(), z.unknown())
    .default({})
    .describe(
      'stored encrypted; never returned: the schema `<provider>.credentials` under components.schemas. Left out: none (SmartRecruiters syncs jobs without a key); a provider that needs them names what is missing',
    ),
  sweep: z
    .record(text(), z.unknown())
    .optional()
    .describe('the reconciling sweep (default daily at 03:00 UTC): {enabled, timeOfDay, timeZone}'),
});

/** `PATCH /v1/connectors/:id`: settings given are merged over the current ones (`null` clears one); credentials given replace them. */
export const ConnectorPatch = z
  .object({
    name: text().trim().min(1).max(200).optional(),
    settings: z
      .record(text(), z.unknown())
      .optional()
      .describe('merged over the current settings; a setting given as null is cleared (its default applies), e.g. a start date'),
    credentials: z.record(text(), z.unknown()).optional(),
    sweep: z.record(text(), z.unknown()).optional().describe('merged over the current sweep settings'),
  })
  .strict();

/** `POST /v1/connectors/:id/resync`: read again from a date and write every record in place, deleting nothing. */
export const ResyncInput = z
  .object({
    since: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).describe('ISO 8601 date or date-time; not in the future'),
    stream: text().min(1).max(100).optional().describe('one stream (e.g. candidates); unset = every stream that runs'),
  })
  .strict();

export const RunMode = z.enum(['incremental', 'sweep', 'resync']);

export const StreamStatus = z.object({
  intervalMinutes: z.number(),
  off: text().optional().describe('the stream does not run with these settings and credentials, and why'),
  running: z.boolean().describe('a run is under way now; false while it waits after a failure (see failure), and while paused or failing'),
  failure: z
    .object({
      message: text(),
      at: text(),
      retryAt: text().optional().describe('when the run is tried again from the page that failed; unset: once a person acts'),
    })
    .optional()
    .describe('the run stopped on this failure (after its retries) and waits; cleared when it goes on'),
  retrying: z
    .object({
      of: z
        .enum(['request', 'page'])
        .describe('`request`: one request to the provider, tried again by the client; `page`: the whole page, by Temporal'),
      attempt: z.number().describe('the attempt under way or next (2 = the first retry)'),
      message: text().describe('why the last attempt failed'),
      nextAttemptAt: text().optional(),
    })
    .optional()
    .describe('the run under way is held up: a request or a page failed and is being tried again'),
  mode: RunMode.describe('what the current (or last) run is for'),
  lastStartedAt: text().optional(),
  lastFinishedAt: text().optional(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  skipped: z.number(),
  deleted: z.number().describe('records found gone at the provider, and applications a record no longer lists, marked deleted (each once)'),
  repaired: z.number().describe('records a sweep found missing or stale and wrote'),
  skippedReasons: z.record(text(), z.number()),
  notes: z.record(text(), z.number()).describe('what was written only in part, and why (e.g. a résumé that could not be read)'),
  pages: z.number(),
  requests: z.number(),
  nextRunAt: text().optional(),
  cursor: text().optional().describe('high-water mark of the provider’s updatedAt'),
  backfill: z.object({ done: z.number(), total: z.number().optional(), finished: z.boolean() }).optional(),
  queued: z.array(z.enum(['sweep', 'resync'])).describe('runs asked for besides the interval, in order'),
  totals: z
    .object({ created: z.number(), updated: z.number(), runs: z.number(), repaired: z.number().optional(), deleted: z.number().optional() })
    .describe('since the loop started; repaired and deleted once a run found any'),
});

export const SweepStatus = z.object({
  enabled: z.boolean(),
  timeOfDay: text(),
  timeZone: text(),
  running: z.boolean(),
  nextAt: text().optional(),
  lastStartedAt: text().optional(),
  lastFinishedAt: text().optional(),
  repaired: z.number().describe('in the current (or last) sweep'),
  deleted: z.number(),
  totals: z.object({ runs: z.number(), repaired: z.number(), deleted: z.number() }),
});

export const ConnectorStatus = z.object({
  state: ConnectorState,
  streams: z.record(text(), StreamStatus),
  sweep: SweepStatus.optional(),
  lastError: z.object({ message: text(), stream: text().optional(), at: text() }).optional(),
});

export const Connector = z.object({
  id: text(),
  provider: text(),
  name: text(),
  state: ConnectorState,
  workflowId: text(),
  settings: z.record(text(), z.unknown()),
  credentials: z.record(text(), text()).describe('masked'),
  sweep: SweepSettings,
  lastError: text().optional(),
  status: ConnectorStatus.optional().describe('live status from the sync workflow'),
  createdAt: text(),
  updatedAt: text(),
});

export const TestReport = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: text(), ok: z.boolean(), detail: text().optional() })),
  missing: z.array(text()),
  parts: z
    .record(text(), z.object({ ok: z.boolean(), missing: z.array(text()) }))
    .optional()
    .describe('a connector of two providers: each side, whether it works and what it lacks'),
});

export type ConnectorState = z.infer<typeof ConnectorState>;
export type ConnectorInput = z.infer<typeof ConnectorInput>;
export type ConnectorPatch = z.infer<typeof ConnectorPatch>;
export type Connector = z.infer<typeof Connector>;
export type ConnectorStatus = z.infer<typeof ConnectorStatus>;
export type StreamStatus = z.infer<typeof StreamStatus>;

export const syncWorkflowId = (connectorId: string) => `sync:${connectorId}`;
