import { z } from 'zod';

export const ConnectorState = z.enum(['active', 'paused', 'failing']);

/** `POST /v1/connectors`: settings and credentials are validated by the provider's own schemas. */
export const ConnectorInput = z.object({
  provider: z.string().min(1).describe('lever, smartrecruiters, …'),
  name: z.string().trim().min(1).max(200),
  settings: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.unknown()).describe('stored encrypted; never returned'),
});

/** `PATCH /v1/connectors/:id`: settings given are merged over the current ones; credentials given replace them. */
export const ConnectorPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    credentials: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const StreamStatus = z.object({
  intervalMinutes: z.number(),
  running: z.boolean(),
  lastStartedAt: z.string().optional(),
  lastFinishedAt: z.string().optional(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  skipped: z.number(),
  skippedReasons: z.record(z.string(), z.number()),
  pages: z.number(),
  requests: z.number(),
  nextRunAt: z.string().optional(),
  cursor: z.string().optional().describe('high-water mark of the provider’s updatedAt'),
  backfill: z.object({ done: z.number(), total: z.number().optional(), finished: z.boolean() }).optional(),
  totals: z.object({ created: z.number(), updated: z.number(), runs: z.number() }),
});

export const ConnectorStatus = z.object({
  state: ConnectorState,
  streams: z.record(z.string(), StreamStatus),
  lastError: z.object({ message: z.string(), stream: z.string().optional(), at: z.string() }).optional(),
});

export const Connector = z.object({
  id: z.string(),
  provider: z.string(),
  name: z.string(),
  state: ConnectorState,
  workflowId: z.string(),
  settings: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.string()).describe('masked'),
  lastError: z.string().optional(),
  status: ConnectorStatus.optional().describe('live status from the sync workflow'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const TestReport = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
  missing: z.array(z.string()),
});

export type ConnectorState = z.infer<typeof ConnectorState>;
export type ConnectorInput = z.infer<typeof ConnectorInput>;
export type ConnectorPatch = z.infer<typeof ConnectorPatch>;
export type Connector = z.infer<typeof Connector>;
export type ConnectorStatus = z.infer<typeof ConnectorStatus>;
export type StreamStatus = z.infer<typeof StreamStatus>;

export const syncWorkflowId = (connectorId: string) => `sync:${connectorId}`;
