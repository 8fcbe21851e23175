import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { History } = temporal.api.history.v1;

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

/** A recorded fixture as the History message the replayer takes. */
export function loadHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
}
