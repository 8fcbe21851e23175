import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { expectedFrom, landed, leverConnector, waitForRuns } from '../fixtures/connectors';
import { runLeverSandbox } from '../fixtures/lever';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';

// The Lever backfill at scale, in a file of its own so it runs beside the other Lever tests, not after them.

describeEachStore('Lever backfill through the API, Temporal, the sandbox and the store', (store) => {
  // Thousands once, on PostgreSQL; the same test at a quarter of that on PGlite, which keeps the test run short.
  const OPPORTUNITIES = store === 'PostgreSQL' ? 2000 : 500;
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  it(`backfills ${OPPORTUNITIES} opportunities (${OPPORTUNITIES / 100} pages) with resumes exactly once; a quiet cycle writes nothing in one request per stream; changes arrive next cycle`, async () => {
    const s = await runLeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    try {
      s.sandbox.seed({ postings: 60, opportunities: OPPORTUNITIES, resumes: true });
      const [withoutLocation] = expectedFrom(s.sandbox).jobs;
      withoutLocation.categories.location = '';
      const created = await t.api('POST', '/v1/connectors', leverConnector(s.baseUrl, SANDBOX_API_KEY));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        provider: 'lever',
        state: 'active',
        workflowId: `sync:${created.body.id}`,
        credentials: { apiKey: '••••-key' },
      });
      const id = created.body.id;

      const first = await waitForRuns(t, id, 1, 240_000);
      const got = await landed(t, s.sandbox);
      expect(got.sources).toBe(got.e.contacts.size);
      expect(got.candidates).toBe(got.e.contacts.size);
      expect(got.applications).toHaveLength(got.e.applications.size);
      expect(got.documents).toBe(got.e.resumes);
      expect(got.jobs.map((j) => j.external_id).sort()).toEqual(got.e.jobs.map((p) => p.id).sort());
      expect(got.applications.filter((a) => a.job_id).length).toBeGreaterThan(0);
      const { candidates, jobs } = first.status.streams;
      expect(candidates).toMatchObject({ created: got.e.contacts.size, backfill: { done: OPPORTUNITIES, finished: true } });
      expect(candidates.pages).toBe(OPPORTUNITIES / 100);
      expect(jobs.skippedReasons['no location']).toBe(1);
      expect(Object.keys(jobs.skippedReasons).some((r) => r.startsWith('channel'))).toBe(true);

      // A second cycle with nothing changed: one request per stream, nothing written.
      const before = s.sandbox.requests.length;
      const stamp = async () =>
        JSON.stringify(
          await t.deps.store.db
            .selectFrom('candidates')
            .select((eb) => [eb.fn.max('updated_at').as('c'), eb.fn.countAll().as('n')])
            .executeTakeFirst(),
        );
      const stampBefore = await stamp();
      expect((await t.api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(202);
      const second = await waitForRuns(t, id, 2);
      expect(s.sandbox.requests.length - before).toBe(2);
      for (const stream of ['jobs', 'candidates']) {
        expect(second.status.streams[stream]).toMatchObject({ created: 0, updated: 0, pages: 1, requests: 1 });
      }
      expect(await stamp()).toBe(stampBefore);

      // Changes in Lever appear after the next cycle: a renamed person, a retitled job, a closed job.
      const [opp] = [...s.sandbox.opportunities.values()];
      s.sandbox.updateOpportunity(opp.id, { name: 'Renamed Person' });
      const [open, toClose] = got.e.jobs;
      s.sandbox.updatePosting(open.id, { text: 'Senior Payroll Administrator' });
      s.sandbox.updatePosting(toClose.id, { state: 'closed' });
      await t.api('POST', `/v1/connectors/${id}/sync`, {});
      const third = await waitForRuns(t, id, 3);
      expect(third.status.streams.jobs).toMatchObject({ updated: 2, created: 0 });
      expect(third.status.streams.candidates).toMatchObject({ updated: 1, created: 0 });
      const after = await landed(t, s.sandbox);
      expect(after.jobs.find((j) => j.external_id === open.id)).toMatchObject({ title: 'Senior Payroll Administrator', published: true });
      expect(after.jobs.find((j) => j.external_id === toClose.id)).toMatchObject({ published: false, state: 'closed' });
      const renamed = await t.deps.store.db
        .selectFrom('candidates')
        .innerJoin('candidate_sources', 'candidate_sources.candidate_id', 'candidates.id')
        .select(['first_name', 'last_name'])
        .where('external_id', '=', opp.contact)
        .executeTakeFirstOrThrow();
      expect(renamed).toEqual({ first_name: 'Renamed', last_name: 'Person' });
    } finally {
      await s.close();
    }
  }, 300_000); // a scale test: about 40 s alone, much longer on a machine that runs other suites too
});
