import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExpiresAt } from '../../src/domain/search-attributes';
import { freePort } from '../../src/net';
import { type DevServer, startDevServer } from '../../src/tooling/dev-server';
import { sandboxJobs, setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { aDelivery, applicationId, deliver, type LivePosting, postLiveJob } from '../fixtures/direct-apply';
import { aJob } from '../fixtures/jobs';
import { backfillThroughFault } from '../fixtures/lever-drill';
import { pendingTimers } from '../helpers/history';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const APPLICATIONS = 120;
const PER_SECOND = 40;
const OPPORTUNITIES = 200;
const PAGE_SIZE = 25;
const POSTINGS = 24;
const POSTINGS_PER_SECOND = 8;

/**
 * Fault drills: the Temporal server (the dev server, on its database file) restarts in the middle of a burst of
 * DirectApply deliveries, of a Lever backfill and of a burst of postings. The board delivers again whatever was not
 * answered 200, as CV-Library does; a delivery answered (staged) has its workflow started once Temporal is back.
 * Every application, person and posting is there exactly once, and live postings keep their workflow and their expiry.
 */
describe('drill: Temporal restarts during an intake burst, a Lever backfill and a posting burst', () => {
  let dbDir: string;
  let port: number;
  let server: DevServer;
  let t: TestSystem;
  let posting: LivePosting;

  beforeAll(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-drill-'));
    port = await freePort();
    server = await startDevServer({ port, dbFile: path.join(dbDir, 'temporal.db') });
    t = await startTestSystem({ TEMPORAL_ADDRESS: server.address });
    await setUpCvLibrary(t);
    posting = await postLiveJob(t);
  });
  afterAll(async () => {
    await t?.stop();
    await server?.stop();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  /** The Temporal server goes down for two seconds and comes back on its database. */
  async function restartTemporal() {
    await server.stop();
    await new Promise((r) => setTimeout(r, 2000));
    server = await startDevServer({ port, dbFile: path.join(dbDir, 'temporal.db') });
  }

  it('stores every application once and keeps the posting live with its expiry', async () => {
    const before = (await t.api('GET', `/v1/postings/${posting.id}`)).body;
    const ids = Array.from({ length: APPLICATIONS }, (_, i) => applicationId(`drill${i}`));
    const answers = new Map<string, number[]>();
    const answeredAt = new Map<string, number>();

    // The board: each application delivered on schedule, then again every 250 ms until it is answered 200.
    const board = ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / PER_SECOND));
      const body = aDelivery({ id, email: `${id}@example.com`, direct_apply_jobid: posting.externalId });
      for (;;) {
        const { status } = await deliver(posting.directApplyUrl, body, {}, 10_000).catch(() => ({ status: 0 }));
        answers.set(id, [...(answers.get(id) ?? []), status]);
        if (status === 200) return void answeredAt.set(id, Date.now());
        await new Promise((r) => setTimeout(r, 250));
      }
    });

    // A third of the way through, the Temporal server goes down for two seconds and comes back on its database.
    await new Promise((r) => setTimeout(r, (APPLICATIONS / 3 / PER_SECOND) * 1000));
    const outage = { from: Date.now(), to: Number.POSITIVE_INFINITY };
    await restartTemporal();
    outage.to = Date.now();
    await Promise.all(board);

    // The webhook answers once a delivery is staged: deliveries kept being taken while Temporal was down, and their
    // workflows started once it was back.
    const duringOutage = [...answeredAt.values()].filter((at) => at > outage.from && at < outage.to);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const statuses of answers.values()) expect(statuses.filter((s) => s !== 200 && s !== 503 && s !== 0)).toEqual([]);

    const stored = await waitFor(
      () => t.deps.store.db.selectFrom('applications').select('external_id').where('job_id', '=', posting.jobId).execute(),
      (rows) => rows.length >= APPLICATIONS,
      120_000,
      `${APPLICATIONS} applications`,
    );
    expect(stored.map((r) => r.external_id).sort()).toEqual([...ids].sort());
    const candidates = await t.deps.store.db
      .selectFrom('candidate_sources')
      .select('external_id')
      .where('provider', '=', 'cv-library')
      .where('external_id', 'in', ids)
      .execute();
    expect(candidates).toHaveLength(APPLICATIONS);

    const after = (await t.api('GET', `/v1/postings/${posting.id}`)).body;
    expect(after).toMatchObject({ state: 'live', externalId: before.externalId, expiresAt: before.expiresAt });
    const described = await t.system.client.workflow.getHandle(posting.workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
  });

  it(`finishes a Lever backfill (${OPPORTUNITIES} opportunities) with every record once`, async () => {
    const backfill = await backfillThroughFault(t, { opportunities: OPPORTUNITIES, pageSize: PAGE_SIZE, seed: 616 }, restartTemporal);
    await backfill.expectBackfilledOnce(120_000);
  });

  it(`posts ${POSTINGS} jobs once each, live with their expiry and its timer`, async () => {
    const jobIds: string[] = [];
    for (let i = 0; i < POSTINGS; i++) {
      const job = await t.api('POST', '/v1/jobs', aJob({ reference: `BURST-${i}-${applicationId('r')}` }));
      expect(job.status).toBe(201);
      jobIds.push(job.body.id);
    }
    const answers: number[] = [];
    // The caller: each posting asked for on schedule, and again every 500 ms until it is answered 202.
    const requests = jobIds.map(async (jobId, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / POSTINGS_PER_SECOND));
      for (;;) {
        const { status, body } = await t.api('POST', `/v1/jobs/${jobId}/postings`, { board: 'cv-library' });
        answers.push(status);
        if (status === 202) return body.id as string;
        await new Promise((r) => setTimeout(r, 500));
      }
    });
    // Once the first postings are live, a third of the way through the burst: those keep their expiry through the
    // restart, the ones under way carry on.
    await new Promise((r) => setTimeout(r, (POSTINGS / 3 / POSTINGS_PER_SECOND) * 1000));
    const postingsSoFar = async () => (await Promise.all(jobIds.map((id) => t.deps.store.postings.listForJob(id)))).flat();
    const before = await waitFor(postingsSoFar, (ps) => ps.some((p) => p.state === 'live'), 30_000, 'a live posting');
    await restartTemporal();
    const postingIds = await Promise.all(requests);
    expect(answers.filter((s) => s !== 202 && s !== 503)).toEqual([]);

    const postings = await Promise.all(postingIds.map((id) => untilPostingState(t, id, 'live', 90_000)));
    expect(postings.map((p) => p.jobId).sort()).toEqual([...jobIds].sort());
    // Each job went to the board once: one CV-Library job per reference, live, with the expiry the posting shows.
    const onBoard = await sandboxJobs(t);
    for (const p of postings) {
      const jobs = onBoard.filter((j) => j.reference.startsWith(`${p.id}-`));
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ status: 'live', expires_at: p.expiresAt });
    }
    for (const live of before.filter((p) => p.state === 'live')) {
      expect(postings.find((p) => p.id === live.id)?.expiresAt).toBe(live.expiresAt);
    }
    // Each workflow runs on, waiting on a timer for its expiry, which it shows operators (from the workflow task after
    // the one whose activity wrote `live`: a loaded machine may be between the two).
    for (const p of postings) {
      const handle = t.system.client.workflow.getHandle(p.workflowId);
      const described = await waitFor(
        () => handle.describe(),
        (d) => d.typedSearchAttributes.get(ExpiresAt) !== undefined,
        30_000,
        `${p.workflowId} showing its expiry`,
      );
      expect(described.status.name).toBe('RUNNING');
      expect(described.typedSearchAttributes.get(ExpiresAt)?.toISOString()).toBe(p.expiresAt);
      expect(await pendingTimers(handle)).toBe(1);
    }
  });
});
