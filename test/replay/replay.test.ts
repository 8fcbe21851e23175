import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import * as workflows from '../../workflows';
import { testServers } from '../helpers/env';
import { HISTORIES_DIR, loadHistory } from '../helpers/record';

/** The recorded histories (test/helpers/record.ts): a fixture that vanishes, or one added unlisted, fails here. */
const EXPECTED_FIXTURES = [
  'application-intake-erased-step-by-step.json',
  'application-intake-erased.json',
  'application-intake-step-by-step.json',
  'application-intake.json',
  'candidate-delivery.json',
  'connector-sync-failing-reconfigured.json',
  'connector-sync-paused-resumed-reconfigured.json',
  'connector-sync-sweep-resync.json',
  'connector-sync-unposts-ended-jobs.json',
  'connector-sync-with-events.json',
  'connector-test.json',
  'event-dispatch.json',
  'posting-amended-unposted.json',
  'posting-amended-while-pending.json',
  'posting-amended-while-publishing.json',
  'posting-auto-repost-first-cycle.json',
  'posting-auto-repost-then-expired.json',
  'posting-expired-woken-early.json',
  'posting-expired.json',
  'posting-failed-auth.json',
  'posting-lean-auto-repost-first-cycle.json',
  'posting-lean-auto-repost-then-expired.json',
  'posting-lean-expired-at-wake.json',
  'posting-lean-expired-reposted-unposted.json',
  'posting-live-unposted-with-memo.json',
  'posting-settled-at-due-auto-repost-first-cycle.json',
  'posting-settled-at-due-auto-repost-then-expired.json',
  'posting-settled-at-due-expired-reposted-unposted.json',
  'posting-settled-at-due-expired.json',
  'posting-unposted-while-pending.json',
  'posting-unposted-while-publishing.json',
  'relay-lookup.json',
  'retention-sweep-erased.json',
  'status-sync-run-failed.json',
  'status-sync-run.json',
  'webhook-delivery.json',
];

const fixtures = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

describe('recorded workflow histories replay on the current workflow code', () => {
  it('are the listed fixtures, with one for every workflow the worker runs', () => {
    expect([...fixtures].sort()).toEqual(EXPECTED_FIXTURES);
    const types = new Set(
      fixtures.map((f) => loadHistory(path.join(HISTORIES_DIR, f)).events[0].workflowExecutionStartedEventAttributes?.workflowType?.name),
    );
    expect([...types].sort()).toEqual(Object.keys(workflows).sort());
  });

  it.each(EXPECTED_FIXTURES)('%s replays without non-determinism', async (file) => {
    const history = loadHistory(path.join(HISTORIES_DIR, file));
    await Worker.runReplayHistory({ workflowBundle: testServers.workflowBundle() }, history, path.basename(file, '.json'));
  });
});
