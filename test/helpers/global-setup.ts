import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { freePort } from '../../src/net';
import { warnOfSlowTasksFrom } from '../../src/temporal/runtime';
import { startDevServer } from '../../src/tooling/dev-server';
import { findPostgresBin, startPostgres } from './postgres';

/**
 * Once per `npm test`: a Temporal dev server, PostgreSQL when its binaries are there, and the
 * workflow bundle. Test files find them through the env vars set here.
 */
export default async function globalSetup() {
  const tmp = path.resolve(__dirname, '../../.tmp');
  fs.mkdirSync(tmp, { recursive: true });

  const [devServer, bundle, postgres] = await Promise.all([
    freePort().then((port) => startDevServer({ port })),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
    findPostgresBin() ? freePort().then(startPostgres) : undefined,
  ]);
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  process.env.TEST_TEMPORAL_ADDRESS = devServer.address;
  // Set here, in the environment the test workers inherit: a test file's own process.env is Jest's copy of it.
  warnOfSlowTasksFrom();
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  if (postgres) process.env.TEST_DATABASE_URL = postgres.url;
  (globalThis as Record<string, unknown>).__JOBRELAY_TEST__ = { devServer, postgres };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};
