import { z } from 'zod';
import { text } from './text';

export const ConnectorState = z.enum(['active', 'paused', 'failing']);

/** `POST /v1/connectors`: settings and credentials are validated by the provider's own schemas. */
export const ConnectorInput = z.object({
  provider: text().min(1).describe('lever, smartrecruiters, …'),
  name: text().trim().min(1).max(200),
  settings: z.record(text(), z.unknown()),
  credentials: z.record(text(), z.unknown()).describe('stored encrypted; never returned'),
});

/** `PATCH /v1/connectors/:id`: settings given are merged over the current ones; credentials given replace them. */
export const ConnectorPatch = z
  .object({
    name: text().trim().min(1).max(200).optional(),
    settings: z.record(text(), z.unknown()).optional(),
    credentials: z.record(text(), z.unknown()).optional(),
  })
  .strict();

export const StreamStatus = z.object({
  intervalMinutes: z.number(),
  running: z.boolean(),
  lastStartedAt: text().optional(),
  lastFinishedAt: text().optional(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  skipped: z.number(),
  skippedReasons: z.record(text(), z.number()),
  pages: z.number(),
  requests: z.number(),
  nextRunAt: text().optional(),
  cursor: text().optional().describe('high-water mark of the provider’s updatedAt'),
  backfill: z.object({ done: z.number(), total: z.number().optional(), finished: z.boolean() }).optional(),
  totals: z.object({ created: z.number(), updated: z.number(), runs: z.number() }),
});

export const ConnectorStatus = z.object({
  state: ConnectorState,
  streams: z.record(text(), StreamStatus),
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
  lastError: text().optional(),
  status: ConnectorStatus.optional().describe('live status from the sync workflow'),
  createdAt: text(),
  updatedAt: text(),
});

export const TestReport = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: text(), ok: z.boolean(), detail: text().optional() })),
  missing: z.array(text()),
});

export type ConnectorState = z.infer<typeof ConnectorState>;
export type ConnectorInput = z.infer<typeof ConnectorInput>;
export type ConnectorPatch = z.infer<typeof ConnectorPatch>;
export type Connector = z.infer<typeof Connector>;
export type ConnectorStatus = z.infer<typeof ConnectorStatus>;
export type StreamStatus = z.infer<typeof StreamStatus>;

export const syncWorkflowId = (connectorId: string) => `sync:${connectorId}`;
