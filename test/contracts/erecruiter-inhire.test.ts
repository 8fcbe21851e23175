import express from 'express';
import { ErecruiterClient } from '../../src/providers/erecruiter-inhire/erecruiter-client';
import { createPairSandbox, pairSandboxOf, pairSandboxUrls } from '../../src/providers/erecruiter-inhire/sandbox';
import { SANDBOX_OAUTH } from '../../src/providers/erecruiter-inhire/sandbox-erecruiter';
import { waitForRuns } from '../fixtures/connectors';
import { runStatusSync } from '../fixtures/erecruiter-inhire';
import { sandboxOrigins } from '../helpers/origins';
import { type Served, serve } from '../helpers/serve';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';
import { example, shapeDifferences } from './shape';

// eRecruiter's and inhire's contract as ../shared/providers/erecruiter-inhire.md states it ("the assumed contract
// jobrelay builds on"), held as literal examples in ./examples. A stand-in answering with them is driven through the
// API, Temporal and the worker, and what jobrelay sends is compared with the documented requests; the in-project
// sandboxes' answers are compared in shape with the same examples. A misreading on either side fails here.

const KEY = 'erec-contract-key-0001';
const INHIRE_KEY = 'inhire-contract-key-0001';
const companies = example('erecruiter-companies');
const COMPANY = companies[0].id;
const createdAnswer = example('erecruiter-application-created');
const inhirePage = example('inhire-candidates-page');
const [documentedCandidate] = inhirePage.data;

interface Sent {
  method: string;
  path: string;
  query: Record<string, unknown>;
  authorization?: string;
  body: unknown;
}

describe('eRecruiter and inhire contract: what jobrelay sends and accepts, against the documented examples', () => {
  let t: TestSystem;
  let standIn: Served;
  const sent: Sent[] = [];
  /** When the stand-in created the application: its page and stage history are dated from then. */
  let createdAt: string | undefined;
  let readyAgain = false;

  beforeAll(async () => {
    const app = express();
    app.set('query parser', 'extended');
    app.use(express.json({ limit: '10mb' }));
    app.use((req, _res, next) => {
      sent.push({ method: req.method, path: req.path, query: req.query, authorization: req.headers.authorization, body: req.body });
      next();
    });
    const er = '/erecruiter/v1.1';
    const firstPage = <T>(req: express.Request, page: T, empty: T) => (Number(req.query.offset ?? 0) === 0 ? page : empty);
    app.get(`${er}/Account/Companies`, (_req, res) => res.json(companies));
    app.get(`${er}/Account/Stages`, (_req, res) => res.json(example('erecruiter-stages')));
    app.get(`${er}/Account/Origins`, (_req, res) => res.json(example('erecruiter-origins')));
    app.get(`${er}/Recruitments`, (req, res) => res.json(firstPage(req, example('erecruiter-recruitments-page'), { recruitments: [] })));
    app.get(`${er}/Recruitments/:id/CandidateApplications`, (req, res) => {
      const page = example('erecruiter-candidate-applications-page');
      page.candidateApplications[0].createdAt = createdAt;
      res.json(firstPage(req, createdAt ? page : { candidateApplications: [] }, { candidateApplications: [] }));
    });
    app.get(`${er}/CandidateApplications/:id/StagesHistory`, (_req, res) => {
      // The documented history's stages, a millisecond apart from when the application came (older ones are not the sync's).
      const at = (i: number) => new Date(Date.parse(createdAt as string) + i).toISOString();
      res.json(example('erecruiter-stage-history').map((h: { stageId: number }, i: number) => ({ ...h, changedAt: at(i) })));
    });
    app.post(`${er}/Recruitments/:id/CandidateApplications`, (_req, res) => {
      if (createdAt)
        return res
          .status(409)
          .location(`CandidateApplications/${createdAnswer.candidateApplicationId}`)
          .json(example('erecruiter-duplicate-application'));
      createdAt = new Date().toISOString();
      res.status(201).json(createdAnswer);
    });
    app.post('/erecruiter-auth/oAuth/Token', express.urlencoded({ extended: false }), (_req, res) => res.json(example('erecruiter-token')));
    app.get('/inhire/api/v1/candidates', (req, res) => {
      // Ready only when the test hands the candidate over (again): otherwise none.
      const ready = readyAgain;
      readyAgain = false;
      const cvUrl = `${req.protocol}://${req.get('host')}/inhire/api/v1/candidates/${documentedCandidate.id}/cv`;
      // Handed over now: inhire's `updatedAt` moves with it.
      const updatedAt = new Date().toISOString();
      res.json(ready ? { ...inhirePage, data: [{ ...documentedCandidate, cvUrl, updatedAt }] } : { data: [], next_cursor: null });
    });
    app.get('/inhire/api/v1/candidates/:id/cv', (_req, res) =>
      res.type('application/pdf').set('Content-Disposition', 'attachment; filename="cv.pdf"').send(Buffer.from('%PDF-1.4\n%%EOF\n')),
    );
    app.patch('/inhire/api/v1/candidates/:id', (_req, res) => res.json({ id: documentedCandidate.id }));
    app.put('/inhire/api/v1/candidates/:id/status', (_req, res) => res.json({ id: documentedCandidate.id }));
    [t, standIn] = await Promise.all([startTestSystem(), serve(app)]);
  });
  afterAll(async () => {
    await t?.stop();
    await standIn?.close();
  });

  const to = (method: string, path: string) => sent.filter((s) => s.method === method && s.path.endsWith(path));

  it('delivers the documented ready candidate as the documented application, and reads the documented 409 as the one eRecruiter holds', async () => {
    const connector = {
      provider: 'erecruiter-inhire',
      name: 'Contract',
      credentials: { erecruiter: { accessKey: KEY }, inhire: { apiKey: INHIRE_KEY } },
      settings: {
        erecruiterBaseUrl: `${standIn.url}/erecruiter/v1.1`,
        erecruiterAuthUrl: `${standIn.url}/erecruiter-auth`,
        inhireBaseUrl: `${standIn.url}/inhire/api/v1`,
        companyId: COMPANY,
        scope: 'all',
        sourceId: 77,
        deliveryIntervalMinutes: 600,
      },
    };
    const created = await t.api('POST', '/v1/connectors', connector);
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitForRuns(t, id, 1);
    const enabled = await t.api('POST', `/v1/connectors/${id}/status-sync`, {});
    expect(enabled.body.unmappedStages).toEqual(['"Zadanie rekrutacyjne" (8)']);
    // Handed over once the status sync is on, so the sync follows the application.
    readyAgain = true;
    expect((await t.api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(202);
    const delivered = async () => (await t.api('GET', `/v1/connectors/${id}/deliveries?state=delivered`)).body.items;
    await waitFor(delivered, (items) => items.length === 1 && items[0].reported, 60_000, 'the delivery');

    const [application] = to('POST', '/CandidateApplications');
    expect(application.path).toBe(`/erecruiter/v1.1/Recruitments/${documentedCandidate.atsRecruitmentId}/CandidateApplications`);
    expect(shapeDifferences(application.body, example('erecruiter-application-create'), { optional: ['phone', 'email', 'cv'] })).toEqual(
      [],
    );
    expect(application.body).toMatchObject({
      firstName: documentedCandidate.firstName,
      lastName: documentedCandidate.lastName,
      email: documentedCandidate.email,
      phone: documentedCandidate.phone,
      originId: 77,
      externalId: documentedCandidate.id,
      cv: { fileName: 'cv.pdf', contentType: 'application/pdf', base64: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64') },
    });
    const [report] = to('PATCH', `/candidates/${documentedCandidate.id}`);
    expect(shapeDifferences(report.body, example('inhire-delivery-report'), { optional: ['atsError'] })).toEqual([]);
    expect(report.body).toEqual({ atsApplicationId: String(createdAnswer.candidateApplicationId), atsDelivery: 'delivered' });

    // Handed over again: the delivery is done, so inhire is told the same again (a PATCH changes nothing twice).
    readyAgain = true;
    expect((await t.api('POST', `/v1/connectors/${id}/sync`, {})).status).toBe(202);
    const reports = () => Promise.resolve(to('PATCH', `/candidates/${documentedCandidate.id}`));
    await waitFor(reports, (r) => r.length === 2, 60_000, 'the second report');
    expect(to('POST', '/CandidateApplications')).toHaveLength(1);
    expect((await reports())[1].body).toEqual(report.body);

    // A second connector of the same company (or one that lost its record) posts it again: eRecruiter's documented
    // 409 names the application it holds, and that one is the delivery's.
    const other = await t.api('POST', '/v1/connectors', { ...connector, name: 'Contract again' });
    await waitForRuns(t, other.body.id, 1);
    readyAgain = true;
    expect((await t.api('POST', `/v1/connectors/${other.body.id}/sync`, {})).status).toBe(202);
    await waitFor(reports, (r) => r.length === 3, 60_000, 'the third report');
    expect(to('POST', '/CandidateApplications')).toHaveLength(2);
    expect((await reports())[2].body).toEqual(report.body);
    const otherDeliveries = (await t.api('GET', `/v1/connectors/${other.body.id}/deliveries`)).body.items;
    expect(otherDeliveries).toEqual([
      expect.objectContaining({ state: 'delivered', applicationId: String(createdAnswer.candidateApplicationId), duplicate: true }),
    ]);

    // The status sync: the documented stages mapped, a run over the documented recruitments, applications and history.
    expect((await t.api('PUT', `/v1/connectors/${id}/status-mapping`, { mapping: { '8': 'interview' } })).status).toBe(200);
    const run = await runStatusSync(t, id);
    expect(run).toMatchObject({ state: 'succeeded', counts: { pushed: 3, failed: 0 } });
    const statuses = to('PUT', `/candidates/${documentedCandidate.id}/status`).map((s) => s.body);
    for (const s of statuses) expect(shapeDifferences(s, example('inhire-status'))).toEqual([]);
    expect(statuses.map((s) => (s as { status: string }).status)).toEqual(['waiting_for_decision', 'evaluating', 'interview']);

    // Every eRecruiter call carries the partner key and, but for Account/Companies, the company; pages of at most 100.
    const erecruiter = sent.filter((s) => s.path.startsWith('/erecruiter/v1.1/'));
    expect(erecruiter.length).toBeGreaterThan(5);
    for (const s of erecruiter) {
      expect(s.authorization).toBe(`Bearer ${KEY}`);
      if (!s.path.endsWith('/Account/Companies')) expect(String(s.query.companyId)).toBe(String(COMPANY));
      if (s.query.limit !== undefined) expect(Number(s.query.limit)).toBeLessThanOrEqual(100);
    }
    // inhire is asked only in its documented terms.
    for (const s of sent.filter((x) => x.path.startsWith('/inhire/'))) expect(s.authorization).toBe(`Bearer ${INHIRE_KEY}`);
    for (const s of to('GET', '/inhire/api/v1/candidates')) {
      expect(Object.keys(s.query).filter((k) => !['ats', 'status', 'updated_after', 'cursor'].includes(k))).toEqual([]);
      expect(s.query).toMatchObject({ ats: 'erecruiter', status: 'ready' });
    }
  });

  it('reads each documented answer as documented: ids whatever their JSON type, times in UTC, history oldest first', async () => {
    const answers = express();
    answers.get('/v1.1/CandidateApplications/:id/StagesHistory', (_req, res) => res.json(example('erecruiter-stage-history')));
    answers.get('/v1.1/Recruitments/:id/CandidateApplications', (_req, res) => res.json(example('erecruiter-candidate-applications-page')));
    answers.post('/oAuth/Token', (_req, res) => res.json(example('erecruiter-token')));
    answers.get('/v1.1/Account/Companies', (req, res) =>
      req.headers.authorization === `Bearer ${example('erecruiter-token').access_token}`
        ? res.json(companies)
        : res.status(401).json(example('erecruiter-unauthorized')),
    );
    const served = await serve(answers);
    try {
      const client = (auth: ConstructorParameters<typeof ErecruiterClient>[0]['auth']) =>
        new ErecruiterClient({
          baseUrl: `${served.url}/v1.1`,
          authUrl: served.url,
          companyId: String(COMPANY),
          auth,
          origins: sandboxOrigins(),
          attempts: 1,
        });
      const byKey = client({ accessKey: KEY });
      expect(await byKey.stagesHistory('912345')).toEqual([
        { stageId: '1', changedAt: '2026-11-02T09:14:00.000Z' },
        { stageId: '2', changedAt: '2026-11-03T11:40:00.000Z' },
        { stageId: '4', changedAt: '2026-11-10T15:05:00.000Z' },
      ]);
      expect(await byKey.applicationsPage('5521', 0)).toEqual([
        {
          id: '912345',
          candidateId: '33012',
          externalId: 'inh_8f2c1a',
          originId: '77',
          createdAt: '2026-11-02T09:14:00.000Z',
          stageId: '4',
        },
      ]);
      // The documented 401 is an authentication failure, not retried, named by its errorCode.
      await expect(byKey.companies()).rejects.toMatchObject({ nonRetryable: true, message: expect.stringContaining('Unauthorized') });
      // The password grant's documented token is what later calls carry.
      const byPassword = client({ ...SANDBOX_OAUTH });
      expect(await byPassword.companies()).toEqual([{ id: String(COMPANY), name: companies[0].name }]);
    } finally {
      await served.close();
    }
  });

  it('the in-project sandboxes answer in the documented shapes', async () => {
    const app = createPairSandbox();
    const { erecruiter, inhire } = pairSandboxOf(app);
    const served = await serve(app);
    try {
      const urls = pairSandboxUrls(served.url);
      const companyId = 9100;
      erecruiter.company(companyId);
      erecruiter.addKey(KEY, { companyId, scope: 'all' });
      inhire.addKey(INHIRE_KEY, 'contract');
      const recruitment = erecruiter.addRecruitment({ companyId, name: 'Java Developer' });
      const [candidate] = inhire.addReady(recruitment.id, 1, { account: 'contract' });

      const call = async (base: string, path: string, init: { method?: string; body?: unknown; key?: string } = {}) => {
        const res = await fetch(`${base}/${path}`, {
          method: init.method ?? 'GET',
          headers: { authorization: `Bearer ${init.key ?? KEY}`, 'content-type': 'application/json' },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        return { status: res.status, location: res.headers.get('location'), body: (await res.json()) as any };
      };
      const er = (path: string, init?: Parameters<typeof call>[2]) =>
        call(urls.erecruiterBaseUrl, `${path}${path.includes('?') ? '&' : '?'}companyId=${companyId}`, init);
      const same = (actual: unknown, name: string, optional: string[] = []) =>
        expect(shapeDifferences(actual, example(name), { optional })).toEqual([]);

      same((await call(urls.erecruiterBaseUrl, 'Account/Companies')).body, 'erecruiter-companies');
      same((await er('Account/Stages')).body, 'erecruiter-stages');
      same((await er('Account/Origins')).body, 'erecruiter-origins');
      same((await er('Recruitments?offset=0&limit=100')).body, 'erecruiter-recruitments-page');
      const application = { ...example('erecruiter-application-create'), externalId: candidate.id };
      const posted = await er(`Recruitments/${recruitment.id}/CandidateApplications`, { method: 'POST', body: application });
      expect(posted.status).toBe(201);
      same(posted.body, 'erecruiter-application-created');
      const again = await er(`Recruitments/${recruitment.id}/CandidateApplications`, { method: 'POST', body: application });
      expect(again.status).toBe(409);
      same(again.body, 'erecruiter-duplicate-application');
      expect(again.location).toBe(`CandidateApplications/${posted.body.candidateApplicationId}`);
      expect(again.body[0].message).toContain(String(posted.body.candidateApplicationId));
      same(
        (await er(`Recruitments/${recruitment.id}/CandidateApplications?offset=0&limit=100`)).body,
        'erecruiter-candidate-applications-page',
        ['candidateApplications[].externalId'],
      );
      same((await er(`CandidateApplications/${posted.body.candidateApplicationId}/StagesHistory`)).body, 'erecruiter-stage-history');
      const refused = await er('Account/Stages', { key: 'not-a-key-0000' });
      expect(refused.status).toBe(401);
      same(refused.body, 'erecruiter-unauthorized');
      const token = await fetch(`${urls.erecruiterAuthUrl}/oAuth/Token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SANDBOX_OAUTH.clientId}:${SANDBOX_OAUTH.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'password', username: SANDBOX_OAUTH.username, password: SANDBOX_OAUTH.password }),
      });
      same(await token.json(), 'erecruiter-token');

      const inh = (path: string, init?: Parameters<typeof call>[2]) => call(urls.inhireBaseUrl, path, { key: INHIRE_KEY, ...init });
      // The documentation leaves the JSON type of inhire's `atsRecruitmentId` open: the stand-in sends a number, this a string.
      expect(
        shapeDifferences((await inh('candidates?ats=erecruiter&status=ready')).body, example('inhire-candidates-page'), {
          optional: ['data[].phone', 'data[].cvUrl'],
          anyType: ['data[].atsRecruitmentId'],
        }),
      ).toEqual([]);
      const report = { atsApplicationId: String(posted.body.candidateApplicationId), atsDelivery: 'delivered' };
      expect((await inh(`candidates/${candidate.id}`, { method: 'PATCH', body: report })).status).toBe(200);
      const status = { ...example('inhire-status'), changedAt: new Date().toISOString() };
      expect((await inh(`candidates/${candidate.id}/status`, { method: 'PUT', body: status })).status).toBe(200);
      expect(inhire.mustGet(candidate.id)).toMatchObject({ atsDelivery: 'delivered', status: 'interview' });
    } finally {
      await served.close();
    }
  });
});
