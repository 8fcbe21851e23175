import { z } from 'zod';
import { text } from './text';

// A relay connector's API shapes (src/relay): deliveries into the ATS, the status mapping, the daily status sync.

const time = text().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const timezone = text().max(100).refine(isTimeZone, 'not an IANA time zone (e.g. Europe/Warsaw)');

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The status sync runs daily at this local time; DST changes do not move it. */
export const DEFAULT_STATUS_SYNC_TIME = { time: '17:00', timezone: 'Europe/Warsaw' } as const;

/** `erased`: the person's data was erased (GDPR); the delivery keeps ids and dates only and is never sent again. */
export const DeliveryState = z.enum(['pending', 'delivered', 'refused', 'failed', 'erased']);

export const Delivery = z.object({
  id: text(),
  connectorId: text(),
  candidateId: text().describe('the tool’s candidate (inhire)'),
  recruitmentId: text().describe('the ATS recruitment (eRecruiter)'),
  state: DeliveryState,
  applicationId: text().optional().describe('the ATS application: what the status sync matches on'),
  duplicate: z.boolean().describe('the ATS already held this candidate in this recruitment: its application was taken'),
  reason: text().optional().describe('why it was refused or failed'),
  detail: text().optional().describe('the ATS’s own words'),
  reported: z.boolean().describe('the outcome is recorded on the tool’s candidate'),
  attempts: z.number(),
  workflowId: text(),
  createdAt: text(),
  updatedAt: text(),
  deliveredAt: text().optional(),
});

export const DeliveryQuery = z.object({
  state: DeliveryState.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text().max(500).optional(),
});

export const RetryDeliveries = z
  .object({ state: z.enum(['refused', 'failed']).optional().describe('only these; unset: refused and failed') })
  .strict();

export const SourceChoice = z
  .object({ sourceId: z.union([text().min(1).max(64), z.number().int().positive()]).transform(String) })
  .strict();

export const Sources = z.object({
  sources: z.array(z.object({ id: text(), name: text() })),
  selected: text().optional().describe('the source id candidates are tagged with'),
});

export const StatusSyncSchedule = z
  .object({ time: time.optional(), timezone: timezone.optional() })
  .strict()
  .describe(`daily time and IANA zone; default ${DEFAULT_STATUS_SYNC_TIME.time} ${DEFAULT_STATUS_SYNC_TIME.timezone}`);

export const MappedStage = z.object({
  id: text(),
  name: text(),
  isDefault: z.boolean(),
  locked: z.boolean().describe('a default stage: its status cannot be changed'),
  status: text().optional().describe('unset: unmapped; its changes wait in the unmapped list'),
});

export const StatusMapping = z.object({
  version: z.number().describe('every saved mapping is kept; each run records the one it used'),
  statuses: z.array(text()).describe('the tool’s statuses a stage may map to'),
  stages: z.array(MappedStage),
  unmapped: z.array(text()).describe('stages without a status, as "name" (id)'),
  complete: z.boolean(),
});

export const StatusMappingInput = z
  .object({
    mapping: z.record(text().min(1).max(64), text().min(1).max(100)).describe('stage id → status; locked stages may be left out'),
  })
  .strict();

const Counts = z.object({
  applications: z.number(),
  read: z.number(),
  pushed: z.number(),
  unchanged: z.number(),
  unmapped: z.number(),
  failed: z.number(),
  ignored: z.number(),
});

export const StatusRun = z.object({
  id: text().describe('the run’s Temporal run id'),
  workflowId: text().describe('its workflow in the Temporal UI (the Schedule’s id and the time it fired)'),
  connectorId: text(),
  state: z.enum(['running', 'succeeded', 'failed']),
  mappingVersion: z.number(),
  since: text(),
  until: text(),
  newStages: z.array(text()).describe('stages first seen by this run (unmapped until mapped)'),
  counts: Counts.optional(),
  reasons: z.record(text(), z.record(text(), z.number())).optional(),
  error: text().optional(),
  startedAt: text(),
  finishedAt: text().optional(),
});

export const HeldChange = z.object({
  applicationId: text(),
  candidateId: text(),
  stageId: text(),
  stageName: text().optional(),
  changedAt: text(),
  heldSince: text(),
});

export const StatusSync = z.object({
  connectorId: text(),
  enabledAt: text().describe('only applications created after this are synced'),
  time: text(),
  timezone: text(),
  scheduleId: text(),
  schedule: z
    .object({
      paused: z.boolean(),
      note: text().optional(),
      running: z.boolean(),
      nextRunAt: z.array(text()),
    })
    .optional()
    .describe('the Temporal Schedule, live'),
  mappingVersion: z.number(),
  unmappedStages: z.array(text()),
  syncedUntil: text().optional().describe('where the last good run ended: the next run reads from here'),
  lastRun: StatusRun.optional(),
});

export type DeliveryState = z.infer<typeof DeliveryState>;
export type Delivery = z.infer<typeof Delivery>;
export type StatusMapping = z.infer<typeof StatusMapping>;
export type StatusRun = z.infer<typeof StatusRun>;
export type HeldChange = z.infer<typeof HeldChange>;
export type StatusSync = z.infer<typeof StatusSync>;
