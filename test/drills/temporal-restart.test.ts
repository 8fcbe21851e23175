import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/net';
import { type DevServer, startDevServer } from '../../src/tooling/dev-server';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { aDelivery, applicationId, deliver, type LivePosting, postLiveJob } from '../fixtures/direct-apply';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const APPLICATIONS = 120;
const PER_SECOND = 40;

/**
 * Fault drill: the Temporal server (the dev server, on its database file) restarts in the middle of a burst of
 * DirectApply deliveries. The board delivers again whatever was not answered 200, as CV-Library does. Every
 * application is stored exactly once and the live posting keeps its workflow and its expiry.
 */
describe('drill: Temporal restarts during an intake burst', () => {
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

  it('stores every application once and keeps the posting live with its expiry', async () => {
    const before = (await t.api('GET', `/v1/postings/${posting.id}`)).body;
    const ids = Array.from({ length: APPLICATIONS }, (_, i) => applicationId(`drill${i}`));
    const answers = new Map<string, number[]>();

    // The board: each application delivered on schedule, then again every 250 ms until it is answered 200.
    const board = ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, (i * 1000) / PER_SECOND));
      const body = aDelivery({ id, email: `${id}@example.com`, direct_apply_jobid: posting.externalId });
      for (;;) {
        const { status } = await deliver(posting.directApplyUrl, body, {}, 10_000).catch(() => ({ status: 0 }));
        answers.set(id, [...(answers.get(id) ?? []), status]);
        if (status === 200) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    });

    // A third of the way through, the Temporal server goes down for two seconds and comes back on its database.
    await new Promise((r) => setTimeout(r, (APPLICATIONS / 3 / PER_SECOND) * 1000));
    await server.stop();
    await new Promise((r) => setTimeout(r, 2000));
    server = await startDevServer({ port, dbFile: path.join(dbDir, 'temporal.db') });
    await Promise.all(board);

    const refused = [...answers.values()].filter((statuses) => statuses.some((s) => s !== 200));
    expect(refused.length).toBeGreaterThan(0); // the outage was felt: some deliveries had to come again
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
});
