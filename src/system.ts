import type http from 'node:http';
import { Client } from '@temporalio/client';
import type { NativeConnection, Worker, WorkflowBundleOption } from '@temporalio/worker';
import { createWorker } from '../worker';
import { createApp } from './api/app';
import type { Deps } from './deps';
import { createIntakeStarter } from './intake/starter';
import { startSweeper } from './intake/sweeper';
import { createBoardsService } from './services/boards';
import { createCandidatesService } from './services/candidates';
import { createCareersService } from './services/careers';
import { createConnectorsService } from './services/connectors';
import { createIntakeService } from './services/intake';
import { createJobsService } from './services/jobs';
import { createPostingsService } from './services/postings';
import { createPrivacyService } from './services/privacy';
import { createRelayService } from './services/relay';
import { createTokensService } from './services/tokens';
import { createWebhookSubscriptionsService } from './services/webhook-subscriptions';
import { connectClient, connectWorker } from './temporal/connection';
import { createConnectorWorkflows } from './temporal/connectors';
import { createEventWorkflows } from './temporal/events';
import { createIntakeWorkflows } from './temporal/intake';
import { createPostingWorkflows } from './temporal/postings';
import { createRetentionSchedule } from './temporal/privacy';
import { createRelayWorkflows } from './temporal/relay';

export interface System {
  apiUrl: string;
  client: Client;
  worker: Worker;
  stop(): Promise<void>;
}

export interface SystemOptions {
  deps: Deps;
  workflowBundle?: WorkflowBundleOption;
  /** Run the API only (a worker elsewhere serves the task queue). */
  withoutWorker?: boolean;
}

/** The API and the worker in one process, sharing the store: what `npm start` and the integration tests run. */
export async function startSystem({ deps, workflowBundle, withoutWorker }: SystemOptions): Promise<System> {
  const { config, logger } = deps;
  const client = await connectClient(config);
  let workerConnection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  if (!withoutWorker) {
    workerConnection = await connectWorker(config);
    worker = await createWorker({ deps, connection: workerConnection, workflowBundle });
    workerDone = worker.run().catch((err) => logger.error({ err }, 'worker stopped with an error'));
  }

  const retention = createRetentionSchedule(client, config.temporal.taskQueue);
  await retention.apply(config.privacy.retentionMonths);
  const jobTitle = async (jobId: string) => (await deps.store.jobs.get(jobId))?.title;
  // Intake and posting starts go through the worker's own connection when this process runs one: the server hands the
  // first workflow task straight to it (eager start), sparing a poll round trip, and the start skips the JS gRPC stack.
  const workerClient = workerConnection && new Client({ connection: workerConnection, namespace: config.temporal.namespace });
  const postings = createPostingsService(
    deps.store,
    createPostingWorkflows(workerClient ?? client, config.temporal.taskQueue, jobTitle, { eager: Boolean(workerClient) }),
  );
  const intakeWorkflows = createIntakeWorkflows(workerClient ?? client, config.temporal.taskQueue, { eager: Boolean(workerClient) });
  // With the worker here, intakes share this event loop and the store's connection with the webhook: a few at a
  // time, each held until its workflow closes, so the board's answers never queue behind a burst's processing.
  const intakeStarter = createIntakeStarter({
    workflows: intakeWorkflows,
    logger,
    metrics: deps.metrics,
    ...(worker && {
      concurrency: config.intake.concurrency,
      holdUntilFinishedMs: 60_000,
      workerRunning: () => worker?.getState() === 'RUNNING',
    }),
  });
  const connectorWorkflows = createConnectorWorkflows(client, config.temporal.taskQueue);
  const stopSweeper = startSweeper({
    store: deps.store,
    starter: intakeStarter,
    logger,
    graceMs: 2 * 60_000,
    everyMs: config.intake.sweepMinutes * 60_000,
  });
  const eventWorkflows = createEventWorkflows(client, config.temporal.taskQueue);
  // Deliveries that waited while the system was down go once the dispatcher is back (it starts with the first subscription).
  if (await deps.store.webhooks.hasLive()) await eventWorkflows.startDispatcher();
  const app = createApp({
    tokens: createTokensService(deps.store, config.api.tokens),
    rateLimit: config.api.rateLimit,
    publicUrl: config.api.publicUrl,
    logger,
    metrics: deps.metrics,
    health: {
      // A deadline, so a probe during an outage does not go on retrying in the background after /readyz answered.
      temporal: () => client.connection.withDeadline(Date.now() + 2500, () => client.workflowService.getSystemInfo({})),
      database: () => deps.store.ping(),
      ...(worker ? { worker: async () => assertRunning(worker) } : {}),
    },
    jobs: createJobsService(deps.store, { check: postings.checkJobEdit, changed: postings.onJobChanged }),
    postings,
    boards: createBoardsService(deps.store, deps.origins),
    postingEvents: (id) => deps.store.postings.events(id),
    connectors: createConnectorsService(deps.store, connectorWorkflows, deps.origins),
    relay: createRelayService(deps.store, createRelayWorkflows(client, config.temporal.taskQueue), connectorWorkflows),
    webhooks: {
      intake: createIntakeService(deps.store, intakeWorkflows, intakeStarter),
      secrets: deps.secrets,
      signingSecret: config.intake.signingSecret,
    },
    candidates: createCandidatesService(deps.store),
    privacy: createPrivacyService(deps.store, {
      metrics: deps.metrics,
      retention,
      retentionMonths: config.privacy.retentionMonths,
      defaultPhoneCountry: config.defaultPhoneCountry,
    }),
    careers: createCareersService(deps.store),
    webhookSubscriptions: createWebhookSubscriptionsService(deps.store, eventWorkflows, deps.webhookOrigins),
  });
  const server: http.Server = await new Promise((resolve, reject) => {
    // Express 5 calls back with the error (a busy port) instead of leaving it to the 'error' event.
    const s = app.listen(config.api.port, config.api.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  // Idle keep-alive sockets outlive the clients' own idle timeouts (undici and most load balancers close theirs
  // sooner), so a client never sends its next request on a socket this server is closing; seen as ECONNRESET under load.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const { port } = server.address() as { port: number };

  return {
    apiUrl: `http://${config.api.host}:${port}`,
    client,
    worker: worker as Worker,
    async stop() {
      stopSweeper();
      await intakeStarter.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerDone;
      await workerConnection?.close();
      await client.connection.close();
    },
  };
}

function assertRunning(worker: Worker) {
  if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
}
