import type http from 'node:http';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sql } from 'kysely';
import { createApp } from '../../src/api/app';
import { signBody } from '../../src/intake/signature';
import { createIntakeStarter } from '../../src/intake/starter';
import { sweepWaitingDeliveries } from '../../src/intake/sweeper';
import { freePort } from '../../src/net';
import { tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';
import { createIntakeService } from '../../src/services/intake';
import { createIntakeWorkflows } from '../../src/temporal/intake';
import { setUpCvLibrary } from '../fixtures/cv-library';
import {
  aDelivery,
  applicationId,
  applyOnBoard,
  deliver,
  intakeOutcome,
  type LivePosting,
  postLiveJob,
  startAnotherWorker,
  stopWorker,
  untilApplications,
} from '../fixtures/direct-apply';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const { EventType } = temporal.api.enums.v1;
/** How long the board waits for an answer to a delivery before it counts it as failed (and delivers again later). */
const BOARD_WAITS_MS = 15_000;

describeEachStore('DirectApply intake when the worker or Temporal is down', (store) => {
  let t: TestSystem;
  let posting: LivePosting;
  let replacement: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    // The API's own intake sweep every 0.6 s (grace period two minutes), so a test sees it act.
    t = await startTestSystem({ INTAKE_SWEEP_MINUTES: '0.01' }, { store });
    await setUpCvLibrary(t);
    await t.sandbox('POST', 'cv-library', '/_sandbox/delivery', { retryBaseMs: 50, maxAttempts: 4 });
    posting = await postLiveJob(t);
  });
  afterAll(async () => {
    await replacement?.stop();
    await t?.stop();
  });

  /**
   * Delivers to an API whose Temporal is unreachable: the webhook stages the application and answers 200; its
   * workflow start fails (tried once here) and is left to the sweep or the board's next delivery. With
   * `clientRetries: false` the refused connection is not retried until the start deadline (only faster).
   */
  async function deliverDuringOutage(application: Record<string, unknown>, { clientRetries = true } = {}) {
    const address = `127.0.0.1:${await freePort()}`;
    const deadTemporal = new Client({ connection: Connection.lazy({ address, ...(clientRetries ? {} : { interceptors: [] }) }) });
    const workflows = createIntakeWorkflows(deadTemporal, t.deps.config.temporal.taskQueue);
    const starter = createIntakeStarter({ workflows, logger: t.deps.logger, metrics: t.deps.metrics, retryForMs: 0 });
    const intake = createIntakeService(t.deps.store, workflows, starter);
    const app = createApp({
      tokens: { verify: async () => undefined },
      rateLimit: { perSecond: 1, burst: 1 },
      publicUrl: 'http://127.0.0.1',
      logger: t.deps.logger,
      metrics: t.deps.metrics,
      health: {},
      webhooks: { intake, secrets: t.deps.secrets },
    } as unknown as Parameters<typeof createApp>[0]);
    const server: http.Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const outage = new URL(posting.directApplyUrl);
    outage.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      return await deliver(outage.toString(), application, {}, BOARD_WAITS_MS);
    } finally {
      await starter.stop(); // its one try at the start has failed by then
      server.close();
      await deadTemporal.connection.close().catch(() => undefined);
    }
  }

  it('answers 200 once staged though Temporal cannot be reached (nothing recorded yet), and takes the board’s later delivery once', async () => {
    const application = aDelivery({ email: 'arthur.patel@example.com' });
    // Answered while the board still waits (BOARD_WAITS_MS): the delivery is durable, its workflow not started.
    expect(await deliverDuringOutage(application)).toMatchObject({ status: 200, body: { applicationId: application.id } });
    expect(await t.deps.store.intake.get({ provider: 'cv-library', applicationId: application.id })).toMatchObject({ state: 'received' });
    expect((await t.api('GET', `/v1/applications?jobId=${posting.jobId}`)).body.items).toEqual([]);

    // The board delivers again once we are back: taken, exactly once.
    expect((await deliver(posting.directApplyUrl, application)).status).toBe(200);
    expect((await deliver(posting.directApplyUrl, application)).status).toBe(200);
    expect(await intakeOutcome(t, application.id)).toMatchObject({ outcome: 'recorded' });
    expect(await untilApplications(t, posting.jobId, 1)).toHaveLength(1);
  });

  it('takes in an application staged while Temporal was away and never delivered again: sweeps at once and a late re-delivery start it once', async () => {
    const application = aDelivery({ email: 'nadia.khan@example.com', phone: '07700 900777', last_name: 'Khan' });
    expect((await deliverDuringOutage(application, { clientRetries: false })).status).toBe(200);
    const workflows = createIntakeWorkflows(t.system.client, t.deps.config.temporal.taskQueue);
    // Each sweep its own API process, with its own starter.
    const sweep = () =>
      sweepWaitingDeliveries({
        store: t.deps.store,
        starter: createIntakeStarter({ workflows, logger: t.deps.logger, metrics: t.deps.metrics }),
        graceMs: 0,
      });
    // Several API processes sweeping at the same moment, and the board delivering again meanwhile.
    const [swept, redelivered] = await Promise.all([
      Promise.all([sweep(), sweep(), sweep(), sweep()]),
      deliver(posting.directApplyUrl, application),
    ]);
    expect(swept.some((n) => n > 0)).toBe(true);
    expect(redelivered.status).toBe(200);
    expect(await intakeOutcome(t, application.id)).toMatchObject({ outcome: 'recorded' });
    expect(await sweep()).toBe(0);
    const applications = await untilApplications(t, posting.jobId, 2);
    expect(applications.filter((a) => a.externalId === application.id)).toHaveLength(1);
    const candidates = (await t.api('GET', '/v1/candidates?limit=200')).body.items.filter(
      (c: { email?: string }) => c.email === application.email,
    );
    expect(candidates).toHaveLength(1);
  });

  it('leaves a staged delivery alone through its two-minute grace period; the API’s own sweep starts it after', async () => {
    const inGrace = aDelivery({ email: 'in-grace@example.com' });
    const pastGrace = aDelivery({ email: 'past-grace@example.com' });
    const answers = await Promise.all([
      deliverDuringOutage(inGrace, { clientRetries: false }),
      deliverDuringOutage(pastGrace, { clientRetries: false }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    // Neither is delivered again by the board; one has waited three minutes.
    await t.deps.store.db
      .updateTable('intake_deliveries')
      .set({ received_at: sql`now() - interval '3 minutes'` })
      .where('external_id', '=', pastGrace.id)
      .execute();
    const handle = (id: string) => t.system.client.workflow.getHandle(`application:cv-library:${id}`);
    await waitFor(
      () =>
        handle(pastGrace.id)
          .describe()
          .then(
            () => true,
            () => false,
          ),
      (started) => started,
      30_000,
      'the sweep to start the delivery past its grace period',
    );
    expect(await intakeOutcome(t, pastGrace.id)).toMatchObject({ outcome: 'recorded' });
    // The sweep that started it read the other one too, staged earlier, and left it: no workflow, still waiting.
    await expect(handle(inGrace.id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await t.deps.store.intake.get({ provider: 'cv-library', applicationId: inGrace.id })).toMatchObject({ state: 'received' });
  });

  it('with the worker stopped, acknowledges deliveries Temporal holds and processes every one once a worker is back', async () => {
    const job = await postLiveJob(t);
    await stopWorker(t);

    const ids = [applicationId('down-a'), applicationId('down-b'), applicationId('down-c')];
    const sent = await Promise.all(
      ids.map((id, i) => applyOnBoard(t, job, { id, phone: `07700 90010${i}`, cv: true, duplicate: i === 0 ? 3 : 1 })),
    );
    for (const s of sent) expect(s.body.deliveries.every((d: { attempts: number[] }) => d.attempts.join() === '200')).toBe(true);

    // Acknowledged = staged; Temporal holds the workflow right after, untouched: no workflow task taken, no step run.
    for (const id of ids) {
      const handle = t.system.client.workflow.getHandle(`application:cv-library:${id}`);
      const status = () =>
        handle.describe().then(
          (d) => d.status.name,
          () => 'NOT STARTED',
        );
      expect(await waitFor(status, (s) => s !== 'NOT STARTED', 20_000, `the workflow of ${id}`)).toBe('RUNNING');
      const { events } = await handle.fetchHistory();
      expect(events?.map((e) => e.eventType)).toEqual([
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      ]);
    }
    expect((await t.api('GET', `/v1/applications?jobId=${job.jobId}`)).body.items).toEqual([]);

    replacement = await startAnotherWorker(t);

    const outcomes = await Promise.all(ids.map((id) => intakeOutcome(t, id)));
    expect(outcomes.map((o) => o.outcome)).toEqual(['recorded', 'recorded', 'recorded']);
    const applications = await untilApplications(t, job.jobId, 3);
    expect(applications.map((a) => a.externalId).sort()).toEqual([...ids].sort());
    expect(new Set(applications.map((a) => a.candidateId)).size).toBe(3);
    expect(applications.every((a) => a.documents.length === 1)).toBe(true);
  });
});

describeEachStore('DirectApply intake behind a signing proxy (DIRECT_APPLY_SIGNING_SECRET)', (store) => {
  const SECRET = 'proxy-signing-s3cret';
  let t: TestSystem;
  let posting: LivePosting;

  beforeAll(async () => {
    t = await startTestSystem({ DIRECT_APPLY_SIGNING_SECRET: SECRET }, { store });
    await setUpCvLibrary(t);
    await t.sandbox('POST', 'cv-library', '/_sandbox/delivery', { retryBaseMs: 10, maxAttempts: 2 });
    posting = await postLiveJob(t);
  });
  afterAll(() => t?.stop());

  it('takes only deliveries whose X-Signature is the HMAC-SHA256 of the raw body', async () => {
    const body = JSON.stringify(aDelivery({ cv: { filename: 'cv.pdf', content_type: 'application/pdf', content: tinyPdf('Ava Brown') } }));
    const { id } = JSON.parse(body);
    expect(await deliver(posting.directApplyUrl, body)).toMatchObject({ status: 401, body: { error: 'missing or invalid X-Signature' } });
    expect((await deliver(posting.directApplyUrl, body, { 'x-signature': signBody('other-secret', body) })).status).toBe(401);
    expect((await deliver(posting.directApplyUrl, body, { 'x-signature': signBody(SECRET, `${body} `) })).status).toBe(401);
    // The unsigning sandbox board is refused too.
    const unsigned = await applyOnBoard(t, posting, { cv: true });
    expect(unsigned.body.deliveries[0]).toEqual({ attempts: [401, 401], delivered: false });
    expect((await t.api('GET', `/v1/applications?jobId=${posting.jobId}`)).body.items).toEqual([]);
    expect(await t.deps.store.intake.counts()).toEqual({});

    expect((await deliver(posting.directApplyUrl, body, { 'x-signature': `sha256=${signBody(SECRET, body)}` })).status).toBe(200);
    expect(await intakeOutcome(t, id)).toMatchObject({ outcome: 'recorded' });
    expect(await untilApplications(t, posting.jobId, 1)).toHaveLength(1);
  });
});
