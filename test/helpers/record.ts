import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { waitFor } from './wait';

const { History } = temporal.api.history.v1;
const { EventType } = temporal.api.enums.v1;
/** Last events of a history with a workflow task or an activity under way. */
const BUSY = [
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
];

export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');

/**
 * With RECORD_HISTORIES=1, saves a workflow's history as a replay fixture (test/replay replays every one).
 * Re-record after an intended workflow change; a replay failure otherwise means the change breaks running workflows.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
}

/** Records a workflow that never ends (a loop) once it is idle: no workflow task or activity under way. */
export async function recordWhenIdle(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  await waitFor(
    async () => {
      const last = (await handle.fetchHistory()).events?.at(-1)?.eventType;
      return !(last !== undefined && last !== null && BUSY.includes(last)) && !(await handle.describe()).raw.pendingActivities?.length;
    },
    (idle) => idle,
    30_000,
    `${handle.workflowId} to be idle`,
  );
  await recordHistory(name, handle);
}

/** A recorded fixture as the History message the replayer takes. */
export function loadHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
}
