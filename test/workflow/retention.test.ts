import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createPrivacyActivities } from '../../activities/privacy';
import { Metrics } from '../../src/metrics';
import type { Store } from '../../src/store';
import { RETENTION_RUN_TIMEOUT } from '../../src/temporal/privacy';
import { retentionSweep } from '../../workflows/retention-sweep';
import { createTimeSkippingEnv, testServers } from '../helpers/env';
import { recordHistory } from '../helpers/record';
import { describeEachStore, openTestStore } from '../helpers/stores';

const TASK_QUEUE = 'retention';

describeEachStore('retentionSweep under time skipping (real activities and store)', (kind) => {
  let env: TestWorkflowEnvironment;
  let store: Store;
  let worker: Worker;
  let running: Promise<void>;
  const metrics = new Metrics();
  let run = 0;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    store = await openTestStore(kind, { label: 'retention' });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: testServers.workflowBundle(),
      activities: createPrivacyActivities({ store, metrics }),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await store?.close();
    await env?.teardown();
  });

  /**
   * One run, started as the daily schedule starts it. (The time-skipping server cannot run schedules; once a run
   * completes it skips to the run's timeout, so each run moves the clock on by up to RETENTION_RUN_TIMEOUT.)
   */
  const sweep = (months: number) =>
    env.client.workflow.execute(retentionSweep, {
      taskQueue: TASK_QUEUE,
      workflowId: `retention-${++run}`,
      args: [{ months }],
      workflowRunTimeout: RETENTION_RUN_TIMEOUT,
    });

  it('keeps a candidate until they have been idle for the period, then erases them with their CV', async () => {
    const { candidateId } = await store.candidates.upsertFromSource({
      source: { provider: 'cv-library', externalId: 'app-idle' },
      fields: { firstName: 'Ignatius', lastName: 'Dormant', email: 'ignatius.dormant@example.org' },
      matchBy: ['email'],
      createIfUnknown: true,
    });
    const { application } = await store.applications.upsert({
      candidateId: candidateId as string,
      provider: 'cv-library',
      externalId: 'app-idle',
      status: 'new',
      appliedAt: new Date().toISOString(),
    });
    const { document } = await store.documents.put({
      candidateId: candidateId as string,
      applicationId: application.id,
      filename: 'cv.pdf',
      contentType: 'application/pdf',
      content: Buffer.from('%PDF-1.4 Ignatius Dormant'),
    });

    // An application whose intake failed for good, kept (fields and CV) for an operator to replay.
    const failed = { provider: 'cv-library', applicationId: 'app-failed' };
    await store.intake.stage({
      provider: 'cv-library',
      externalId: failed.applicationId,
      postingId: 'post_x',
      jobId: 'job_x',
      payload: { first_name: 'Ignatius', last_name: 'Dormant' },
      cvRequired: false,
      late: false,
      cv: { filename: 'Ignatius-Dormant-CV.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 Ignatius Dormant') },
    });
    await store.intake.fail(failed, 'the store refused the application');
    // Its CV waits as a document of no one (written once, when staged), until the intake or retention is done with it.
    const failedCv = (await store.intake.get(failed))?.cv?.documentId as string;
    const heldAs = (id: string) => store.db.selectFrom('documents').select(['id', 'candidate_id']).where('id', '=', id).execute();
    expect(await heldAs(failedCv)).toEqual([{ id: failedCv, candidate_id: null }]);

    // Relay deliveries into an ATS: one refused and one failed (kept for a retry), one delivered, one under way.
    const connector = await store.connectors.create({ provider: 'erecruiter-inhire', name: 'Relay', settings: {}, credentials: {} });
    const relayRef = (candidateId: string) => ({ connectorId: connector.id, candidateId, recruitmentId: '7' });
    for (const id of ['refused', 'failed', 'delivered', 'pending'])
      await store.relay.stageDelivery(
        connector.id,
        {
          candidateId: id,
          recruitmentId: '7',
          person: { firstName: 'Ignatius', lastName: 'Dormant', email: 'ignatius@example.org' },
          cvUrl: `https://cv/${id}`,
        },
        'PL',
        () => `delivery:${id}`,
      );
    await store.relay.markRefused(relayRef('refused'), 'eRecruiter refused the application', 'Ignatius Dormant applied already');
    await store.relay.markFailed(relayRef('failed'), 'eRecruiter did not answer');
    await store.relay.markDelivered(relayRef('delivered'), { applicationId: '70', duplicate: false });

    expect(await sweep(12)).toMatchObject({ months: 12, erased: 0, documentsDeleted: 0, deliveriesExpired: 0, relayDeliveriesExpired: 0 });
    expect(await store.relay.delivery(relayRef('refused'))).toMatchObject({ person: { lastName: 'Dormant' }, cvUrl: 'https://cv/refused' });
    await env.sleep('300 days');
    expect(await sweep(12)).toMatchObject({ erased: 0 });
    expect((await store.candidates.get(candidateId as string))?.erasedAt).toBeUndefined();

    await env.sleep('70 days'); // a year and five days without activity
    const report = await sweep(12);
    expect(report).toMatchObject({ months: 12, erased: 1, documentsDeleted: 1, deliveriesExpired: 1, relayDeliveriesExpired: 2 });
    for (const id of ['refused', 'failed']) {
      const expired = await store.relay.delivery(relayRef(id));
      expect(expired).toMatchObject({ state: id, person: undefined, cvUrl: undefined, detail: undefined });
      expect(JSON.stringify(expired)).not.toContain('Dormant');
    }
    expect(await store.relay.delivery(relayRef('pending'))).toMatchObject({ state: 'pending', person: { lastName: 'Dormant' } });
    expect(await store.relay.delivery(relayRef('delivered'))).toMatchObject({ state: 'delivered', applicationId: '70' });
    expect(await store.intake.get(failed)).toMatchObject({ state: 'skipped', reason: 'expired by retention', payload: {}, cv: undefined });
    expect(await heldAs(failedCv)).toEqual([]);
    expect(Date.parse(report.idleBefore)).toBeGreaterThan(Date.now()); // the cut-off came from the workflow's (skipped) clock

    const tombstone = await store.candidates.get(candidateId as string);
    expect(tombstone).toMatchObject({ firstName: '', lastName: '', email: undefined, documents: [], erasedAt: expect.any(String) });
    expect(await store.documents.get(document.id)).toBeUndefined();
    const audit = (await store.privacy.list({ limit: 10 })).items;
    expect(audit.filter((e) => e.action === 'retention').map((e) => e.details.erased)).toEqual([1, 0, 0]);
    expect(audit.find((e) => e.action === 'erasure')).toMatchObject({ candidateId, actor: 'retention' });
    expect(metrics.render()).toContain('jobrelay_candidates_erased_total{reason="retention"} 1');

    await recordHistory('retention-sweep-erased', env.client.workflow.getHandle(`retention-${run}`));
    // A later run finds no one left to erase.
    expect(await sweep(12)).toMatchObject({ erased: 0 });
  });
});
