import { SANDBOX_API_KEY, SANDBOX_COMPANY } from '../../src/providers/smartrecruiters/sandbox';
import { waitForRuns } from '../fixtures/connectors';
import { runSmartRecruitersSandbox, smartRecruitersConnector } from '../fixtures/smartrecruiters';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

type Sandbox = Awaited<ReturnType<typeof runSmartRecruitersSandbox>>;

/** What landed in the store from one sandbox, counted by the sandbox's own ids (tests share a store). */
async function landed(t: TestSystem, s: Sandbox) {
  const { db } = t.deps.store;
  const candidateIds = [...s.sandbox.candidates.keys()];
  const sources = candidateIds.length
    ? await db
        .selectFrom('candidate_sources')
        .selectAll()
        .where('provider', '=', 'smartrecruiters')
        .where('external_id', 'in', candidateIds)
        .execute()
    : [];
  const people = [...new Set(sources.map((r) => r.candidate_id))];
  const applications = people.length
    ? await db
        .selectFrom('applications')
        .selectAll()
        .where('provider', '=', 'smartrecruiters')
        .where('candidate_id', 'in', people)
        .execute()
    : [];
  const documents = people.length
    ? await db.selectFrom('documents').select(['id', 'candidate_id']).where('candidate_id', 'in', people).execute()
    : [];
  const jobs = await db
    .selectFrom('jobs')
    .selectAll()
    .where('source', '=', 'smartrecruiters')
    .where('external_id', 'in', [...s.sandbox.postings.keys(), 'none'])
    .execute();
  return { sources, people, applications, documents, jobs };
}

describeEachStore('SmartRecruiters connector through the API, Temporal, the sandbox and the store', (store) => {
  // Thousands once, on PostgreSQL; the same test at a quarter of that on PGlite, which keeps the test run short.
  const POSTINGS = store === 'PostgreSQL' ? 2000 : 500;
  const CANDIDATES = POSTINGS;
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
  });
  afterAll(() => t?.stop());

  it(`syncs ${POSTINGS} postings and ${CANDIDATES} candidates completely with no request over a limit; a quiet cycle reads lists only`, async () => {
    const s = await runSmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
    try {
      // Résumés and other documents are left to the smaller tests: here the lists, details and writes at scale.
      s.sandbox.seed({ postings: POSTINGS, candidates: CANDIDATES, resumes: false, seed: 5 });
      const created = await t.api(
        'POST',
        '/v1/connectors',
        // Job ads re-read only when listed changed: the quiet cycle below reads lists only.
        smartRecruitersConnector(s.baseUrl, SANDBOX_COMPANY, SANDBOX_API_KEY, {
          syncResumes: false,
          syncDocuments: false,
          jobAdsRefreshMinutes: 0,
        }),
      );
      expect(created.status).toBe(201);
      const id = created.body.id;
      const first = await waitForRuns(t, id, 1, 280_000);
      // Every posting has a place: its city, region, "Remote", or else the country it is open across.
      const placed = [...s.sandbox.postings.values()];
      expect(placed.some((p) => !p.location.city && !p.location.region && !p.location.remote)).toBe(true);
      expect(first.status.streams.jobs).toMatchObject({
        created: POSTINGS,
        skipped: 0,
        backfill: { done: POSTINGS, finished: true, total: POSTINGS },
      });
      const candidates = [...s.sandbox.candidates.values()];
      expect(first.status.streams.candidates).toMatchObject({ created: CANDIDATES, pages: CANDIDATES / 100 });
      const got = await landed(t, s);
      expect(got.jobs.map((j) => j.external_id).sort()).toEqual(placed.map((p) => p.id).sort());
      expect(got.sources).toHaveLength(CANDIDATES);
      expect(got.people).toHaveLength(CANDIDATES);
      const jobIds = new Map(got.jobs.map((j) => [j.external_id, j.id]));
      const assignments = candidates.flatMap((c) => [c.primaryAssignment, ...c.secondaryAssignments].map((a) => `${c.id}:${a.job.id}`));
      expect(got.applications.map((a) => a.external_id).sort()).toEqual([...new Set(assignments)].sort());
      // Statuses are SmartRecruiters' own (kept) mapped to ours; applications link to the jobs synced.
      const byId = new Map(got.applications.map((a) => [a.external_id, a]));
      for (const c of candidates.slice(0, 50)) {
        const a = byId.get(`${c.id}:${c.primaryAssignment.job.id}`);
        expect(a?.provider_status?.split(' / ')[0]).toBe(c.primaryAssignment.status);
        expect(a?.job_id ?? undefined).toBe(jobIds.get(c.primaryAssignment.job.id));
      }
      expect(s.sandbox.violations).toMatchObject({ rate: 0, concurrency: 0 });

      const before = s.sandbox.requests.length;
      await t.api('POST', `/v1/connectors/${id}/sync`, {});
      const second = await waitForRuns(t, id, 2);
      const quiet = s.sandbox.requestsSince(before);
      // The Posting API has no change filter: every list page is read (and nothing else); candidates: one request.
      expect(quiet.map((r) => r.endpoint).sort()).toEqual(
        [...Array(POSTINGS / 100).fill('GET /v1/companies/{id}/postings'), 'GET /candidates'].sort(),
      );
      expect(second.status.streams.jobs).toMatchObject({ created: 0, updated: 0, unchanged: POSTINGS });
      expect(second.status.streams.candidates).toMatchObject({ created: 0, updated: 0, requests: 1 });
    } finally {
      await s.close();
    }
  }, 300_000);

  /** The connector once its jobs stream finished `runs` runs (candidates may be off). */
  const jobsRan = (id: string, runs: number) =>
    waitFor(
      async () => {
        const c = (await t.api('GET', `/v1/connectors/${id}`)).body;
        return c.status?.streams.jobs?.totals.runs >= runs && !c.status.streams.jobs.running ? c : undefined;
      },
      (c) => c !== undefined,
      60_000,
      `${runs} jobs runs`,
    );
  const failing = (id: string) =>
    waitFor(
      async () => {
        const c = (await t.api('GET', `/v1/connectors/${id}`)).body;
        return c.state === 'failing' ? c : undefined;
      },
      (c) => c !== undefined,
      60_000,
      'failing',
    );
  const swept = (id: string, runs: number) =>
    waitFor(
      async () => {
        const c = (await t.api('GET', `/v1/connectors/${id}`)).body;
        return c.status?.sweep?.totals.runs >= runs && !c.status.sweep.running ? c : undefined;
      },
      (c) => c !== undefined,
      90_000,
      `${runs} sweeps`,
    );

  it('without an API key syncs jobs and shows candidates off (not failing); a wrong company identifier fails naming it', async () => {
    const s = await runSmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
    try {
      s.sandbox.seed({ postings: 12, candidates: 5, seed: 6 });
      const created = await t.api('POST', '/v1/connectors', smartRecruitersConnector(s.baseUrl, SANDBOX_COMPANY, undefined));
      expect(created.status).toBe(201);
      expect(created.body.credentials).toEqual({});
      const id = created.body.id;
      const done = await jobsRan(id, 1);
      expect(done.state).toBe('active');
      expect(done.status.streams.candidates).toMatchObject({
        off: expect.stringMatching(/no API key: candidates are off/),
        running: false,
      });
      expect(done.status.streams.jobs.created).toBeGreaterThan(0);
      expect(s.sandbox.requests.filter((r) => r.path.startsWith('/candidates'))).toEqual([]);
      expect((await t.api('POST', `/v1/connectors/${id}/sync`, { stream: 'candidates' })).status).toBe(409);
      const report = await t.api('POST', `/v1/connectors/${id}/test`, {});
      expect(report.body).toMatchObject({ ok: true, missing: [] });
      expect(report.body.checks).toContainEqual({ name: 'candidates', ok: true, detail: 'no API key: candidates are off' });

      // The identifier is case-sensitive: "acmecorp" is another company, which SmartRecruiters does not know.
      await t.api('PATCH', `/v1/connectors/${id}`, { settings: { companyIdentifier: 'acmecorp' } });
      expect((await t.api('POST', `/v1/connectors/${id}/test`, {})).body).toMatchObject({
        ok: false,
        missing: ['company identifier "acmecorp" not found (it is case-sensitive)'],
      });
      await t.api('POST', `/v1/connectors/${id}/sync`, {});
      const failed = await failing(id);
      expect(failed.lastError).toBe('SmartRecruiters knows no company "acmecorp": check the company identifier (it is case-sensitive)');
    } finally {
      await s.close();
    }
  });

  it('a refused API key sets failing naming the key, and stops calling', async () => {
    const s = await runSmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
    try {
      s.sandbox.seed({ postings: 3, candidates: 5, seed: 7 });
      const created = await t.api('POST', '/v1/connectors', smartRecruitersConnector(s.baseUrl, SANDBOX_COMPANY, 'not-the-sandbox-key'));
      const failed = await failing(created.body.id);
      expect(failed.lastError).toMatch(/^SmartRecruiters answered 401: the API key \(X-SmartToken\) is invalid or revoked/);
      expect(failed.status.lastError).toMatchObject({ stream: 'candidates' });
      // The stream is not under way: stopped on the refusal until a person acts, with the reason and not the key.
      expect(failed.status.streams.candidates).toMatchObject({
        running: false,
        failure: { message: expect.stringMatching(/^SmartRecruiters answered 401: the API key/) },
      });
      expect(failed.status.streams.candidates.failure).not.toHaveProperty('retryAt');
      expect(JSON.stringify(failed)).not.toContain('not-the-sandbox-key');
      const refused = s.sandbox.requests.filter((r) => r.status === 401);
      expect(refused).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('a page that keeps failing with 5xx shows as retrying with the reason while its requests and then the page are tried again, then runs on', async () => {
    const s = await runSmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
    try {
      s.sandbox.seed({ postings: 3, candidates: 2, seed: 9 });
      s.sandbox.faults = { ...s.sandbox.faults, errorRate: 1 };
      const created = await t.api('POST', '/v1/connectors', smartRecruitersConnector(s.baseUrl, SANDBOX_COMPANY, SANDBOX_API_KEY));
      expect(created.status).toBe(201);
      const id = created.body.id;
      // First the client tries the request again itself, then Temporal the whole page.
      const request = await waitFor(
        async () => (await t.api('GET', `/v1/connectors/${id}`)).body,
        (c) => c.status?.streams.jobs?.retrying?.of === 'request',
        60_000,
        'the jobs page’s request retried',
      );
      expect(request.status.streams.jobs).toMatchObject({
        running: true,
        retrying: { attempt: expect.any(Number), message: expect.stringMatching(/^SmartRecruiters answered 50[023]/) },
      });
      expect(request.status.streams.jobs.retrying.attempt).toBeGreaterThanOrEqual(2);
      expect(Date.parse(request.status.streams.jobs.retrying.nextAttemptAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(JSON.stringify(request)).not.toContain(SANDBOX_API_KEY);
      const retrying = await waitFor(
        async () => (await t.api('GET', `/v1/connectors/${id}`)).body,
        (c) => c.status?.streams.jobs?.retrying?.of === 'page',
        60_000,
        'the jobs page retried',
      );
      expect(retrying.state).toBe('active');
      expect(retrying.status.streams.jobs).toMatchObject({
        running: true,
        retrying: { attempt: expect.any(Number), message: expect.stringMatching(/^SmartRecruiters answered 50[023]/) },
      });
      expect(retrying.status.streams.jobs.retrying.attempt).toBeGreaterThanOrEqual(2);
      expect(retrying.status.streams.candidates.running).toBe(false);
      expect(JSON.stringify(retrying)).not.toContain(SANDBOX_API_KEY);
      // Between two attempts, when the next one is due (from Temporal's record of the activity).
      const waiting = await waitFor(
        async () => (await t.api('GET', `/v1/connectors/${id}`)).body.status?.streams.jobs?.retrying,
        (r) => r?.of === 'page' && r.nextAttemptAt !== undefined,
        60_000,
        'the page waiting for its next attempt',
      );
      expect(Date.parse(waiting.nextAttemptAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(Date.parse(waiting.nextAttemptAt)).toBeLessThan(Date.now() + 120_000);

      // SmartRecruiters answers again: the page's next attempt goes through and the run ends, nothing left failing.
      s.sandbox.faults = { ...s.sandbox.faults, errorRate: 0 };
      const done = await waitForRuns(t, id, 1);
      expect(done.status.streams.jobs).toMatchObject({ running: false, created: 3 });
      expect(done.status.streams.jobs).not.toHaveProperty('retrying');
      expect(done.status.streams.jobs).not.toHaveProperty('failure');
      expect((await t.api('POST', `/v1/connectors/${id}/pause`, {})).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('a sweep repairs what the incremental path missed and marks deleted candidates; a posting gone from the list is unpublished next cycle', async () => {
    const s = await runSmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
    try {
      s.sandbox.seed({ postings: 30, candidates: 40, seed: 8 });
      // Job ads re-read only by the sweep here (the seed walk tests their periodic re-read).
      const created = await t.api(
        'POST',
        '/v1/connectors',
        smartRecruitersConnector(s.baseUrl, SANDBOX_COMPANY, SANDBOX_API_KEY, { jobAdsRefreshMinutes: 0 }),
      );
      const id = created.body.id;
      await waitForRuns(t, id, 1);
      const withResume = [...s.sandbox.candidates.values()].filter((c) => c.attachments.some((x) => x.type === 'RESUME'));
      expect((await landed(t, s)).documents).toHaveLength(withResume.length);
      const [backdated, deleted] = [...s.sandbox.candidates.values()];
      const [removed, edited] = [...s.sandbox.postings.values()].filter((p) => p.location.city);

      // Changed at SmartRecruiters behind the incremental path's back: an update stamped a day earlier (a lagging
      // clock), a deleted candidate, and a job ad edited without touching the posting's list fields.
      s.sandbox.updateCandidate(backdated.id, { lastName: 'Back-dated' }, backdated.updatedOn - 86_400_000);
      s.sandbox.deleteCandidate(deleted.id);
      s.sandbox.updatePosting(edited.id, {
        sections: { ...edited.sections, jobDescription: { title: 'Job Description', text: '<p>Now remote-first.</p>' } },
      });
      s.sandbox.removePosting(removed.id);

      await t.api('POST', `/v1/connectors/${id}/sync`, {});
      const second = await waitForRuns(t, id, 2);
      expect(second.status.streams.jobs).toMatchObject({ deleted: 1, updated: 0 });
      expect(second.status.streams.candidates).toMatchObject({ updated: 0, deleted: 0 });
      const job = async (externalId: string) =>
        t.deps.store.db
          .selectFrom('jobs')
          .selectAll()
          .where('source', '=', 'smartrecruiters')
          .where('external_id', '=', externalId)
          .executeTakeFirstOrThrow();
      expect(await job(removed.id)).toMatchObject({ published: false, state: 'closed', deleted_at: expect.any(Date) });
      expect((await job(edited.id)).description).not.toContain('remote-first');

      const sweepStarted = await t.api('POST', `/v1/connectors/${id}/sweep`, {});
      expect(sweepStarted.status).toBe(202);
      const after = await swept(id, 1);
      expect(after.status.sweep).toMatchObject({ repaired: 2, deleted: 1, running: false });
      expect(after.status.streams.candidates).toMatchObject({ mode: 'sweep', repaired: 1, deleted: 1 });
      expect((await job(edited.id)).description).toContain('remote-first');
      const person = async (externalId: string) => {
        const source = await t.deps.store.db
          .selectFrom('candidate_sources')
          .selectAll()
          .where('provider', '=', 'smartrecruiters')
          .where('external_id', '=', externalId)
          .executeTakeFirstOrThrow();
        return { source, candidate: await t.deps.store.candidates.get(source.candidate_id) };
      };
      expect((await person(backdated.id)).candidate?.lastName).toBe('Back-dated');
      const gone = await person(deleted.id);
      expect(gone.source.deleted_at).toBeInstanceOf(Date);
      expect(gone.candidate?.deletedAt).toBeDefined();
      const applications = await t.api('GET', `/v1/applications?candidateId=${gone.candidate?.id}`);
      expect(applications.body.items.length).toBeGreaterThan(0);
      expect(applications.body.items.every((a: { deletedAt?: string }) => a.deletedAt)).toBe(true);
      expect(s.sandbox.violations).toMatchObject({ rate: 0, concurrency: 0 });
      const metrics = await (await fetch(`${t.system.apiUrl}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`jobrelay_sync_repaired_total\\{connector="${id}",stream="candidates"\\} 1`));
    } finally {
      await s.close();
    }
  });

  it('a resync from a date refetches and updates in place, deleting nothing', async () => {
    const s = await runSmartRecruitersSandbox({ rateLimit: { perSecond: 500, burst: 60 } });
    try {
      s.sandbox.seed({ postings: 5, candidates: 20, seed: 9 });
      const created = await t.api(
        'POST',
        '/v1/connectors',
        smartRecruitersConnector(s.baseUrl, SANDBOX_COMPANY, SANDBOX_API_KEY, { parseResumes: true }),
      );
      const id = created.body.id;
      const first = await waitForRuns(t, id, 1);
      // Candidates SmartRecruiters has no history for get it from their résumé (PDF or DOCX); one has no résumé.
      const bare = [...s.sandbox.candidates.values()].filter((c) => c.experience.length === 0);
      const withoutResume = bare.filter((c) => !c.attachments.some((a) => a.type === 'RESUME'));
      expect(first.status.streams.candidates.notes).toEqual(withoutResume.length ? { 'résumé: none to parse': withoutResume.length } : {});
      for (const c of bare.filter((x) => !withoutResume.includes(x))) {
        const source = await t.deps.store.db
          .selectFrom('candidate_sources')
          .select('candidate_id')
          .where('provider', '=', 'smartrecruiters')
          .where('external_id', '=', c.id)
          .executeTakeFirstOrThrow();
        const held = await t.deps.store.candidates.get(source.candidate_id);
        expect(held?.experience).toEqual([expect.objectContaining({ source: 'resume', company: expect.any(String), current: true })]);
        expect(held?.education).toEqual([expect.objectContaining({ source: 'resume', degree: 'BSc Economics' })]);
      }
      const [quietlyChanged, deleted] = [...s.sandbox.candidates.values()];
      s.sandbox.updateCandidate(quietlyChanged.id, { firstName: 'Resynced' }, quietlyChanged.updatedOn);
      s.sandbox.deleteCandidate(deleted.id);

      const since = new Date(quietlyChanged.updatedOn - 1000).toISOString();
      expect((await t.api('POST', `/v1/connectors/${id}/resync`, { since: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(
        409,
      );
      const asked = await t.api('POST', `/v1/connectors/${id}/resync`, { since, stream: 'candidates' });
      expect(asked.status).toBe(202);
      const done = await waitFor(
        async () => {
          const c = (await t.api('GET', `/v1/connectors/${id}`)).body;
          const st = c.status.streams.candidates;
          return st.mode === 'resync' && !st.running && st.queued.length === 0 ? c : undefined;
        },
        (c) => c !== undefined,
        60_000,
        'the resync',
      );
      expect(done.status.streams.candidates).toMatchObject({ updated: 1, deleted: 0 });
      const sources = await t.deps.store.db
        .selectFrom('candidate_sources')
        .innerJoin('candidates', 'candidates.id', 'candidate_sources.candidate_id')
        .select(['external_id', 'first_name', 'candidate_sources.deleted_at'])
        .where('provider', '=', 'smartrecruiters')
        .where('external_id', 'in', [quietlyChanged.id, deleted.id])
        .execute();
      expect(sources.find((r) => r.external_id === quietlyChanged.id)?.first_name).toBe('Resynced');
      expect(sources.find((r) => r.external_id === deleted.id)?.deleted_at).toBeNull();
    } finally {
      await s.close();
    }
  });
});
