import { syncWorkflowId } from '../../src/domain/connector';
import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { expectedFrom, landed, leverConnector, recordSyncHistory, waitForRuns, waitsOnlyForAPerson } from '../fixtures/connectors';
import { runLeverSandbox } from '../fixtures/lever';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

describeEachStore('Lever connector through the API, Temporal, the sandbox and the store', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  it('completes under 20% injected 5xx/429 and dropped connections, landing everything once', async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    try {
      s.sandbox.seed({ postings: 20, opportunities: 150, resumes: true, seed: 77 });
      s.sandbox.faults = { errorRate: 0.15, throttleRate: 0.05, latencyMs: 0, dropRate: 0.02 };
      const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, SANDBOX_API_KEY, { pageSize: 50 }));
      await waitForRuns(t, created.body.id, 1, 120_000);
      const got = await landed(t, s.sandbox);
      expect(got.candidates).toBe(got.e.contacts.size);
      expect(got.applications).toHaveLength(got.e.applications.size);
      expect(got.documents).toBe(got.e.resumes);
      expect(got.jobs).toHaveLength(got.e.jobs.length);
      const statuses = s.sandbox.requests.map((r) => r.status);
      expect(statuses.filter((x) => x >= 500).length).toBeGreaterThan(25);
      expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(10);
      expect(statuses.filter((x) => x === -1).length).toBeGreaterThan(3);
    } finally {
      await s.close();
    }
  });

  it('a revoked key sets failing with Lever’s reason and stops calling; new credentials continue from the cursor', async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    try {
      s.sandbox.seed({ postings: 5, opportunities: 300, resumes: false, seed: 99 });
      s.sandbox.addKey('key-to-revoke-1', { confidential: true });
      s.sandbox.addKey('key-replacement-2', { confidential: true });
      s.sandbox.faults.latencyMs = 150; // slow enough to revoke in the middle of the backfill
      const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, 'key-to-revoke-1', { pageSize: 20 }));
      const id = created.body.id;
      await waitFor(
        () => t.api('GET', `/v1/connectors/${id}`).then((r) => r.body),
        (c) => c.status?.streams.candidates?.pages >= 3,
        60_000,
        'three pages',
      );
      s.sandbox.revokeKey('key-to-revoke-1');

      const failing = await waitFor(
        () => t.api('GET', `/v1/connectors/${id}`).then((r) => r.body),
        (c) => c.state === 'failing',
        60_000,
        'the connector failing',
      );
      expect(failing.lastError).toBe('Lever answered 401: UnauthorizedError: Invalid API key');
      expect(failing.status.lastError).toMatchObject({ stream: 'candidates' });
      // The store mirrors the workflow's state by an activity, just after the workflow changed it.
      const row = await waitFor(
        () => t.deps.store.connectors.get(id),
        (r) => r?.state === 'failing',
        20_000,
        'the store to mirror the failing state',
      );
      expect(row).toMatchObject({ state: 'failing', lastError: 'Lever answered 401: UnauthorizedError: Invalid API key' });
      // No retry storm: the requests in flight when the key died were each refused once, and none was sent again.
      const rejected = s.sandbox.requests.filter((r) => r.status === 401);
      expect(rejected.length).toBeGreaterThan(0);
      expect(new Set(rejected.map((r) => `${r.path}?${JSON.stringify(r.query)}`)).size).toBe(rejected.length);
      // And none will be: the loop waits for a person, with no activity, timer or task open.
      await waitFor(
        () => waitsOnlyForAPerson(t.system.client.workflow.getHandle(syncWorkflowId(id))),
        (idle) => idle,
        20_000,
        'the sync loop to wait for a person',
      );
      const quiet = s.sandbox.requests.length;
      expect((await t.api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(409);

      // The page that failed (its list or its resumes answered 401) is where the run continues: the last page asked
      // for, or the one before it when the engine had already asked for the next page (fetched ahead while writing).
      const failedOffset = (await t.deps.store.connectors.get(id))?.streams.candidates?.run?.page;
      expect(failedOffset).toBeDefined();
      const listed = s.sandbox.requests.filter((r) => r.path === '/v1/opportunities').map((r) => r.query.offset);
      expect(listed.slice(-2)).toContain(failedOffset);
      s.sandbox.faults.latencyMs = 0;
      const patched = await t.api('PATCH', `/v1/connectors/${id}`, { credentials: { apiKey: 'key-replacement-2' } });
      expect(patched.status).toBe(200);
      expect(patched.body.credentials).toEqual({ apiKey: '••••nt-2' });
      await t.api('POST', `/v1/connectors/${id}/resume`, {});
      const done = await waitForRuns(t, id, 1);
      expect(done.state).toBe('active');
      const resumedAt = s.sandbox.requests.slice(quiet).find((r) => r.path === '/v1/opportunities');
      expect(resumedAt?.query.offset).toBe(failedOffset);
      const got = await landed(t, s.sandbox);
      expect(got.candidates).toBe(got.e.contacts.size);
      expect(got.applications).toHaveLength(got.e.applications.size);
      await recordSyncHistory(t, id, 'connector-sync-failing-reconfigured');
    } finally {
      await s.close();
    }
  });

  it('with importUnknownCandidates and syncResumes off: asks for no resume, creates no one, updates a known person found by email', async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    try {
      s.sandbox.seed({ postings: 4, opportunities: 30, resumes: true, seed: 61 });
      const opportunities = [...s.sandbox.opportunities.values()];
      const person = opportunities[3];
      // Someone we already hold (they applied through CV-Library), the same email written in capitals, no phone.
      const known = await t.deps.store.candidates.upsertFromSource({
        source: { provider: 'cv-library', externalId: `known-${person.contact}` },
        fields: { firstName: 'Earlier', lastName: 'Applicant', email: person.emails[0].toUpperCase() },
        matchBy: ['email'],
        createIfUnknown: true,
      });
      const created = await t.api(
        'POST',
        '/v1/connectors',
        leverConnector(s.baseUrl, SANDBOX_API_KEY, { importUnknownCandidates: false, syncResumes: false }),
      );
      const done = await waitForRuns(t, created.body.id, 1);

      expect(s.sandbox.requests.filter((r) => r.path.includes('/resumes'))).toEqual([]);
      const theirs = opportunities.filter((o) => o.contact === person.contact);
      const strangers = opportunities.length - theirs.length;
      expect(done.status.streams.candidates).toMatchObject({
        created: 0,
        skipped: strangers,
        skippedReasons: { 'unknown candidate': strangers },
      });
      // Of everyone in this Lever account, only the known person is in the store, with their applications.
      const got = await landed(t, s.sandbox);
      expect(got.sources).toBe(1);
      expect(got.candidates).toBe(1);
      expect(got.applications.map((a) => a.id)).toHaveLength(theirs.flatMap((o) => o.applications).length);
      const candidate = (await t.api('GET', `/v1/candidates/${known.candidateId}`)).body;
      expect(candidate.sources.map((x: { provider: string; externalId: string }) => [x.provider, x.externalId]).sort()).toEqual([
        ['cv-library', `known-${person.contact}`],
        ['lever', person.contact],
      ]);
      expect(candidate.phone).toEqual(expect.any(String)); // Lever's phone, which we did not hold
      expect(candidate.documents).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('starts the run’s window again when Lever refuses an offset token, landing every record once', async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    try {
      s.sandbox.seed({ postings: 2, opportunities: 120, resumes: false, seed: 62 });
      s.sandbox.faults.refuseOffsets = 1; // the first offset token the connector sends back is refused
      const created = await t.api(
        'POST',
        '/v1/connectors',
        leverConnector(s.baseUrl, SANDBOX_API_KEY, { pageSize: 50, syncResumes: false }),
      );
      const done = await waitForRuns(t, created.body.id, 1);

      const pages = s.sandbox.requests.filter((r) => r.path === '/v1/opportunities');
      expect(pages.map((r) => [r.status, r.query.offset === undefined ? 'window start' : 'offset token'])).toEqual([
        [200, 'window start'],
        [400, 'offset token'],
        [200, 'window start'],
        [200, 'offset token'],
        [200, 'offset token'],
      ]);
      const got = await landed(t, s.sandbox);
      expect(got.candidates).toBe(got.e.contacts.size);
      expect(got.sources).toBe(got.e.contacts.size);
      expect(got.applications).toHaveLength(got.e.applications.size);
      // The first page, read twice, came back unchanged the second time.
      expect(done.status.streams.candidates.unchanged).toBeGreaterThanOrEqual(50);
    } finally {
      await s.close();
    }
  });

  it('a page activity retried after writing the run’s last page (its answer lost) answers what it wrote: counts exact, a sweep’s deletions too', async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    // The attempt that stores the candidates cursor with no run left (the listing's last page, a settling batch) loses
    // its answer once its writes are done, as when its worker dies then: Temporal retries the activity.
    const connectors = t.deps.store.connectors;
    const saveCursor = connectors.saveCursor;
    let losses = 0;
    let loseNext = true;
    connectors.saveCursor = async (connectorId, stream, cursor) => {
      await saveCursor(connectorId, stream, cursor);
      if (stream !== 'candidates' || cursor.run || !loseNext) return;
      loseNext = false;
      losses += 1;
      throw new Error('the worker died before Temporal heard the answer');
    };
    try {
      s.sandbox.seed({ postings: 3, opportunities: 60, resumes: false, seed: 64 });
      const created = await t.api(
        'POST',
        '/v1/connectors',
        leverConnector(s.baseUrl, SANDBOX_API_KEY, { pageSize: 25, syncResumes: false }),
      );
      const id = created.body.id;
      const done = (await waitForRuns(t, id, 1)).status.streams.candidates;
      expect(losses).toBe(1);
      const people = expectedFrom(s.sandbox).contacts.size;
      expect(done).toMatchObject({ pages: 3, created: people, unchanged: 0, skipped: 0, totals: { created: people } });
      expect(done.created + done.updated).toBe(60);
      // The retry asked Lever for no page again.
      expect(s.sandbox.requests.filter((r) => r.path === '/v1/opportunities')).toHaveLength(3);

      // A sweep whose settling batch (three opportunities gone) loses its answer the same way.
      for (const o of [...s.sandbox.opportunities.values()].slice(0, 3)) s.sandbox.opportunities.delete(o.id);
      loseNext = true;
      expect((await t.api('POST', `/v1/connectors/${id}/sweep`, { stream: 'candidates' })).status).toBe(202);
      const swept = await waitFor(
        async () => (await t.api('GET', `/v1/connectors/${id}`)).body,
        (c) => c.status.sweep.totals.runs >= 1 && !c.status.sweep.running,
        60_000,
        'the sweep',
      );
      expect(losses).toBe(2);
      expect(swept.status.streams.candidates).toMatchObject({ mode: 'sweep', pages: 4, deleted: 3, totals: { deleted: 3 } });
      expect(swept.status.sweep).toMatchObject({ deleted: 3, totals: { deleted: 3 } });
      expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).status).toBe(200);
    } finally {
      connectors.saveCursor = saveCursor;
      await s.close();
    }
  });
});
