import type http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../../src/api/app';
import { signBody } from '../../src/intake/signature';
import { sweepWaitingDeliveries } from '../../src/intake/sweeper';
import { freePort } from '../../src/net';
import { tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';
import { createIntakeService } from '../../src/services/intake';
import { connectWorker } from '../../src/temporal/connection';
import { createIntakeWorkflows } from '../../src/temporal/intake';
import { createWorker } from '../../worker';
import { setUpCvLibrary } from '../fixtures/cv-library';
import {
  aDelivery,
  applicationId,
  applyOnBoard,
  deliver,
  intakeOutcome,
  type LivePosting,
  postLiveJob,
  untilApplications,
} from '../fixtures/direct-apply';
import { testServers } from '../helpers/env';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describeEachStore('DirectApply intake when the worker or Temporal is down', (store) => {
  let t: TestSystem;
  let posting: LivePosting;
  let replacement: { worker: Worker; running: Promise<void>; close(): Promise<void> } | undefined;

  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t);
    await t.sandbox('POST', 'cv-library', '/_sandbox/delivery', { retryBaseMs: 50, maxAttempts: 4 });
    posting = await postLiveJob(t);
  });
  afterAll(async () => {
    if (replacement) {
      replacement.worker.shutdown();
      await replacement.running;
      await replacement.close();
    }
    await t?.stop();
  });

  /** Delivers to an API whose Temporal is unreachable: the webhook stages the application and answers 503. */
  async function deliverDuringOutage(application: Record<string, unknown>) {
    const deadTemporal = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }) });
    const intake = createIntakeService(t.deps.store, createIntakeWorkflows(deadTemporal, t.deps.config.temporal.taskQueue));
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
      return await deliver(outage.toString(), application);
    } finally {
      server.close();
      await deadTemporal.connection.close().catch(() => undefined);
    }
  }

  it('answers 503 when Temporal cannot be reached (nothing recorded), and takes the board’s later delivery once', async () => {
    const application = aDelivery({ email: 'arthur.patel@example.com' });
    const started = Date.now();
    expect(await deliverDuringOutage(application)).toMatchObject({
      status: 503,
      body: { error: expect.stringContaining('deliver it again') },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await t.api('GET', `/v1/applications?jobId=${posting.jobId}`)).body.items).toEqual([]);

    // The board delivers again once we are back: taken, exactly once.
    expect((await deliver(posting.directApplyUrl, application)).status).toBe(200);
    expect((await deliver(posting.directApplyUrl, application)).status).toBe(200);
    expect(await intakeOutcome(t, application.id)).toMatchObject({ outcome: 'recorded' });
    expect(await untilApplications(t, posting.jobId, 1)).toHaveLength(1);
  });

  it('takes in an application the board never delivered again after a 503: the sweep starts its workflow, once', async () => {
    const application = aDelivery({ email: 'nadia.khan@example.com', phone: '07700 900777', last_name: 'Khan' });
    expect((await deliverDuringOutage(application)).status).toBe(503);
    const workflows = createIntakeWorkflows(t.system.client, t.deps.config.temporal.taskQueue);
    expect(await sweepWaitingDeliveries({ store: t.deps.store, workflows, graceMs: 60_000 })).toBe(0);
    expect(await sweepWaitingDeliveries({ store: t.deps.store, workflows, graceMs: 0 })).toBe(1);
    expect(await intakeOutcome(t, application.id)).toMatchObject({ outcome: 'recorded' });
    expect(await sweepWaitingDeliveries({ store: t.deps.store, workflows, graceMs: 0 })).toBe(0);
    const applications = await untilApplications(t, posting.jobId, 2);
    expect(applications.filter((a) => a.externalId === application.id)).toHaveLength(1);
  });

  it('with the worker stopped, acknowledges deliveries Temporal holds and processes every one once a worker is back', async () => {
    const job = await postLiveJob(t);
    t.system.worker.shutdown();
    await waitFor(
      async () => t.system.worker.getState(),
      (state) => state === 'STOPPED',
      20_000,
      'worker stopped',
    );

    const ids = [applicationId('down-a'), applicationId('down-b'), applicationId('down-c')];
    const sent = await Promise.all(
      ids.map((id, i) => applyOnBoard(t, job, { id, phone: `07700 90010${i}`, cv: true, duplicate: i === 0 ? 3 : 1 })),
    );
    for (const s of sent) expect(s.body.deliveries.every((d: { attempts: number[] }) => d.attempts.join() === '200')).toBe(true);

    // Acknowledged = Temporal holds the workflow; nothing is processed without a worker.
    for (const id of ids) {
      const { status } = await t.system.client.workflow.getHandle(`application:cv-library:${id}`).describe();
      expect(status.name).toBe('RUNNING');
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect((await t.api('GET', `/v1/applications?jobId=${job.jobId}`)).body.items).toEqual([]);

    const connection = await connectWorker(t.deps.config);
    const worker = await createWorker({ deps: t.deps, connection, workflowBundle: testServers.workflowBundle() });
    replacement = { worker, running: worker.run(), close: () => connection.close() };

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
