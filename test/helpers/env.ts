import { randomUUID } from 'node:crypto';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { requireBinary } from '../../src/tooling/binaries';

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

/** The time-skipping test server, on the pre-installed binary, with our search attributes registered. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('temporal-test-server') } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED_TYPE[k.type]])),
  });
  return env;
}

const INDEXED_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** A task queue no other test uses, so tests can share one dev server. */
export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}
