import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireBinary } from '../../src/temporal/binaries';

/** The dev server, workflow bundle and PostgreSQL that global-setup started for this run. */
export const testServers = {
  temporalAddress: () => must('TEST_TEMPORAL_ADDRESS'),
  workflowBundle: () => ({ codePath: must('TEST_WORKFLOW_BUNDLE') }),
  /** PostgreSQL's URL, or undefined on a machine without its binaries (CI always has them). */
  databaseUrl: () => process.env.TEST_DATABASE_URL,
};

function must(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with jest's global setup (npm test)`);
  return value;
}

/** The time-skipping test server, on the pre-installed binary. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('temporal-test-server') } },
  });
}

/** A task queue no other test uses, so tests can share one dev server. */
export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}
