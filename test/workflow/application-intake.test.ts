import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createIntakeActivities } from '../../activities/intake';
import { loadConfig } from '../../src/config';
import { GENERIC_ACCOUNT } from '../../src/domain/posting';
import type { IntakeRef } from '../../src/intake/rules';
import { Metrics } from '../../src/metrics';
import { withoutCv } from '../../src/providers/cv-library/intake';
import { tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';
import type { Store } from '../../src/store';
import { aDelivery, applicationId } from '../fixtures/direct-apply';
import { aJob } from '../fixtures/jobs';
import { createTimeSkippingEnv, testServers } from '../helpers/env';
import { describeEachStore, openTestStore } from '../helpers/stores';

const TASK_QUEUE = 'intake';

describeEachStore('applicationIntake (real activities and store; a worker that crashes after writing)', (kind) => {
  let env: TestWorkflowEnvironment;
  let store: Store;
  let worker: Worker;
  let running: Promise<void>;
  let jobId: string;
  let postingId: string;
  const crashes = new Map<string, number>();

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    store = await openTestStore(kind);
    jobId = (await store.jobs.create(aJob())).id;
    postingId = (
      await store.postings.createOrGet({
        jobId,
        board: 'cv-library',
        account: GENERIC_ACCOUNT,
        options: { autoRepost: false, quickApply: true },
      })
    ).posting.id;
    // Each of these store writes happens, then the worker "crashes" once before the step reports it: the retry
    // must find the write done and not make it twice.
    const crashingAfterWrite =
      <A extends unknown[], R>(name: string, keyOf: (...args: A) => string, fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const result = await fn(...args);
        const key = `${name}:${keyOf(...args)}`;
        if (!crashes.has(key)) {
          crashes.set(key, 1);
          throw new Error(`worker lost after ${name}`);
        }
        return result;
      };
    const crashingStore: Store = {
      ...store,
      candidates: {
        ...store.candidates,
        upsertFromSource: crashingAfterWrite('candidate', (i) => i.source.externalId, store.candidates.upsertFromSource),
      },
      applications: { ...store.applications, upsert: crashingAfterWrite('application', (i) => i.externalId, store.applications.upsert) },
      documents: {
        ...store.documents,
        takeStagedCv: crashingAfterWrite('document', (_staged, i) => i.applicationId, store.documents.takeStagedCv),
      },
    };
    const real = createIntakeActivities({ store: crashingStore, metrics: new Metrics(), config: loadConfig({}) });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: testServers.workflowBundle(),
      activities: real,
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await store?.close();
    await env?.teardown();
  });

  async function stage(overrides: Record<string, unknown> = {}, cvRequired = false) {
    const delivery = aDelivery({ id: applicationId('wf'), email: `${applicationId('p')}@example.com`, ...overrides });
    const pdf = Buffer.from(tinyPdf('Noah Smith'), 'base64');
    await store.intake.stage({
      provider: 'cv-library',
      externalId: delivery.id,
      postingId,
      jobId,
      payload: withoutCv(delivery as never),
      cvRequired,
      late: false,
      cv: overrides.cv === null ? undefined : { filename: 'noah.pdf', contentType: 'application/octet-stream', content: pdf },
    });
    return { provider: 'cv-library', applicationId: delivery.id };
  }

  const run = (ref: IntakeRef) =>
    env.client.workflow.execute('applicationIntake', {
      taskQueue: TASK_QUEUE,
      workflowId: `application:${ref.provider}:${ref.applicationId}`,
      args: [ref],
    });

  it('takes in a staged application once, even when the worker is lost after each write', async () => {
    const ref = await stage();
    const outcome = await run(ref);
    expect(outcome).toEqual({
      outcome: 'recorded',
      candidateId: expect.any(String),
      applicationId: expect.any(String),
      documentId: expect.any(String),
      late: false,
    });
    // every write was lost once and the step retried
    expect([...crashes.keys()]).toEqual(
      expect.arrayContaining([`candidate:${ref.applicationId}`, `application:${ref.applicationId}`, `document:${outcome.applicationId}`]),
    );
    const applications = await store.applications.list({ jobId });
    expect(applications.items.filter((a) => a.externalId === ref.applicationId)).toHaveLength(1);
    const candidate = (await store.candidates.get(outcome.candidateId))!;
    expect(candidate.sources).toHaveLength(1);
    expect(candidate.documents).toEqual([
      expect.objectContaining({ id: outcome.documentId, contentType: 'application/pdf', filename: 'noah.pdf' }),
    ]);
    expect(await store.intake.get(ref)).toMatchObject({
      state: 'processed',
      applicationId: outcome.applicationId,
      documentId: outcome.documentId,
    });
    expect(await store.intake.cvContent(ref)).toBeUndefined();

    // A later run of the same application (the board delivering again after Temporal forgot the first) writes nothing.
    const before = (await store.candidates.get(outcome.candidateId))!.updatedAt;
    expect(await run(ref)).toEqual(outcome);
    expect((await store.candidates.get(outcome.candidateId))!.updatedAt).toBe(before);
  });

  it('rejects an application without a CV when the posting requires one, with the reason on the run, writing no candidate', async () => {
    const email = `${applicationId('nocv')}@example.com`;
    const ref = await stage({ cv: null, email }, true);
    const handle = await env.client.workflow.start('applicationIntake', {
      taskQueue: TASK_QUEUE,
      workflowId: `application:cv-library:${ref.applicationId}`,
      args: [ref],
    });
    const reason = 'the posting requires a CV (quick apply is off): no CV was attached';
    expect(await handle.result()).toEqual({ outcome: 'rejected', reason });
    expect((await handle.describe()).memo).toEqual({ outcome: 'rejected', reason });
    expect(await store.intake.get(ref)).toMatchObject({ state: 'rejected', reason });
    const all = await store.candidates.list({ limit: 200 });
    expect(all.items.filter((c) => c.email === email)).toEqual([]);
  });

  it('fails at once, without retrying, for an application that was never staged', async () => {
    const err = await run({ provider: 'cv-library', applicationId: 'never-staged' }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const messages: string[] = [];
    for (let e = err; e; e = e.cause) messages.push(String(e.message));
    expect(messages.join(' / ')).toContain('no staged application cv-library:never-staged');
  });
});
