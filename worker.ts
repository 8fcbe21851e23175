import http from 'node:http';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadConfig } from './src/config';
import { buildDeps, type Deps } from './src/deps';
import { createLogger, temporalLogger } from './src/logger';
import { connectWorker } from './src/temporal/connection';
import { installRuntime } from './src/temporal/runtime';

export interface WorkerOptions {
  deps: Deps;
  connection: NativeConnection;
  /** A pre-built bundle (tests, production); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  taskQueue?: string;
}

/** Wires workflows and activities onto the task queue. */
export function createWorker({ deps, connection, workflowBundle, taskQueue }: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: taskQueue ?? deps.config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities(deps),
    maxCachedWorkflows: deps.config.temporal.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: deps.config.temporal.maxConcurrentWorkflowTasks,
  });
}

/** `npm run worker`: a worker process on its own, for scaling out against a Temporal cluster and PostgreSQL. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  installRuntime({ logger: temporalLogger(logger) });
  const deps = await buildDeps(config, logger);
  const connection = await connectWorker(config);
  const worker = await createWorker({ deps, connection });
  // A worker alone serves its own counters (activities count there), when given a port.
  const metrics = config.workerMetricsPort
    ? http
        .createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(deps.metrics.render()))
        .listen(config.workerMetricsPort)
    : undefined;
  deps.logger.info({ taskQueue: config.temporal.taskQueue, metricsPort: config.workerMetricsPort }, 'worker running');
  try {
    await worker.run();
  } finally {
    metrics?.close();
    await connection.close();
    await deps.store.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
