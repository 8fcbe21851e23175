import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testServers } from '../helpers/env';
import { HISTORIES_DIR, loadHistory } from '../helpers/record';

const fixtures = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

describe('recorded workflow histories replay on the current workflow code', () => {
  it('has a recorded history for every workflow type', () => {
    const types = new Set(
      fixtures.map((f) => {
        const history = loadHistory(path.join(HISTORIES_DIR, f));
        return history.events[0].workflowExecutionStartedEventAttributes?.workflowType?.name;
      }),
    );
    expect([...types]).toEqual(expect.arrayContaining(['postingLifecycle', 'connectorSync', 'applicationIntake', 'retentionSweep']));
  });

  it.each(fixtures)('%s replays without non-determinism', async (file) => {
    const history = loadHistory(path.join(HISTORIES_DIR, file));
    await Worker.runReplayHistory({ workflowBundle: testServers.workflowBundle() }, history, path.basename(file, '.json'));
  });
});
