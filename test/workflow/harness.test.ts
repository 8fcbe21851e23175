import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../helpers/env';

describe('time-skipping harness', () => {
  it('runs a 28-day timer in seconds on the pre-installed test server', async () => {
    const env = await createTimeSkippingEnv();
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'harness',
        workflowsPath: require.resolve('../fixtures/timer-workflow'),
      });
      const result = await worker.runUntil(
        env.client.workflow.execute('waitTwentyEightDays', { taskQueue: 'harness', workflowId: 'timer-1' }),
      );
      expect(result).toBe('expired');
    } finally {
      await env.teardown();
    }
  });
});
