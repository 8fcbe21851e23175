import type http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { ErecruiterClient, erecruiterErrorCode } from '../../src/providers/erecruiter-inhire/erecruiter-client';
import { InhireClient } from '../../src/providers/erecruiter-inhire/inhire-client';
import { createPairSandbox, pairSandboxOf, pairSandboxUrls } from '../../src/providers/erecruiter-inhire/sandbox';
import { SANDBOX_ACCESS_KEY, SANDBOX_COMPANY_ID, SANDBOX_OAUTH } from '../../src/providers/erecruiter-inhire/sandbox-erecruiter';
import { SANDBOX_INHIRE_KEY } from '../../src/providers/erecruiter-inhire/sandbox-inhire';
import { Recruitments, StagesHistory } from '../../src/providers/erecruiter-inhire/schemas';
import { refusalOf } from '../../src/providers/errors';
import { sandboxOrigins } from '../helpers/origins';

// Our clients against the sandboxes, which are written from the provider doc (not from the clients' schemas).

describe('eRecruiter and inhire clients against their sandboxes', () => {
  const app = createPairSandbox();
  const origins = sandboxOrigins();
  const { erecruiter, inhire } = pairSandboxOf(app);
  let server: http.Server;
  let urls: ReturnType<typeof pairSandboxUrls>;
  beforeAll(async () => {
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    urls = pairSandboxUrls(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (
    auth: ConstructorParameters<typeof ErecruiterClient>[0]['auth'] = { accessKey: SANDBOX_ACCESS_KEY },
    companyId = SANDBOX_COMPANY_ID,
  ) =>
    new ErecruiterClient({
      baseUrl: urls.erecruiterBaseUrl,
      authUrl: urls.erecruiterAuthUrl,
      companyId: String(companyId),
      auth,
      origins,
      baseDelayMs: 1,
    });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => err as ApplicationFailure,
    );

  it('reads bare and wrapped collections, and pages with offset and limit until an empty page', async () => {
    expect(Recruitments.parse([{ id: 1, name: 'a' }])).toEqual([{ id: '1', name: 'a', partnerEnabled: false }]);
    expect(Recruitments.parse({ recruitments: [{ id: '2' }] })).toEqual([{ id: '2', name: '', partnerEnabled: false }]);
    // A time without an offset is read as UTC; every time comes out in UTC.
    expect(
      StagesHistory.parse([
        { stageId: 1, changedAt: '2027-03-28T17:00:00' },
        { stageId: 2, changedAt: '2027-03-28T19:00:00+02:00' },
      ]),
    ).toEqual([
      { stageId: '1', changedAt: '2027-03-28T17:00:00.000Z' },
      { stageId: '2', changedAt: '2027-03-28T17:00:00.000Z' },
    ]);

    const companyId = 7001;
    erecruiter.addKey('paging-key-0001', { companyId });
    for (let i = 0; i < 250; i++) erecruiter.addRecruitment({ companyId });
    const c = client({ accessKey: 'paging-key-0001' }, companyId);
    const all = await c.recruitments();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((r) => r.id)).size).toBe(250);
    expect(c.requests).toBe(4); // 100 + 100 + 50 + the empty page
    expect(erecruiter.requests.slice(-4).map((r) => [r.query.offset, r.query.limit, r.query.companyId])).toEqual([
      ['0', '100', String(companyId)],
      ['100', '100', String(companyId)],
      ['200', '100', String(companyId)],
      ['300', '100', String(companyId)],
    ]);
    expect((await c.stages()).map((s) => s.name)).toContain('Złożenie oferty');
  });

  it('signs in with the password grant once per credentials, renews a token refused, and names a refused password', async () => {
    const tokens = erecruiter.tokenRequests;
    const oauth = client(SANDBOX_OAUTH);
    await oauth.stages();
    await oauth.origins();
    await client(SANDBOX_OAUTH).stages(); // another client, the same credentials: the token is reused
    expect(erecruiter.tokenRequests - tokens).toBe(1);
    erecruiter.expireTokens();
    expect((await oauth.stages()).length).toBeGreaterThan(0);
    expect(erecruiter.tokenRequests - tokens).toBe(2);

    const refused = await failure(client({ ...SANDBOX_OAUTH, password: 'nope' }).stages());
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused?.message).toBe('eRecruiter authorization answered 400: invalid_grant');
    expect(refused?.nonRetryable).toBe(true);
    expect(refusalOf(refused)?.status).toBe(401);
  });

  it('rides out 500s (each request retried), and keeps 401 and 403 as refusals with eRecruiter’s error code', async () => {
    erecruiter.faults.errorRate = 0.5;
    try {
      const c = client();
      for (let i = 0; i < 10; i++) await c.stages();
      expect(c.requests).toBeGreaterThan(10);
    } finally {
      erecruiter.faults.errorRate = 0;
    }
    const badKey = await failure(client({ accessKey: 'wrong-key-000' }).stages());
    expect(badKey?.message).toBe('eRecruiter answered 401: Unauthorized: Authorization has been denied for this request.');
    const otherCompany = await failure(client(undefined, 999).stages());
    expect(erecruiterErrorCode(refusalOf(otherCompany)?.body)).toBe('CompanyNotAllowed');

    erecruiter.addKey('selected-key-0001', { scope: 'selected' });
    const closed = erecruiter.addRecruitment({ partnerEnabled: false });
    const notAllowed = await failure(client({ accessKey: 'selected-key-0001' }).applicationsPage(String(closed.id), 0));
    expect(refusalOf(notAllowed)).toMatchObject({ status: 403 });
    expect(erecruiterErrorCode(refusalOf(notAllowed)?.body)).toBe('PartnerNotAllowed');
  });

  it('takes eRecruiter’s DuplicateApplication answer as the application it already holds', async () => {
    const recruitment = erecruiter.addRecruitment();
    const c = client();
    const application = { firstName: 'Ewa', lastName: 'Zając', originId: '77', externalId: 'inhire-42' };
    const first = await c.createApplication(String(recruitment.id), application);
    expect(first).toMatchObject({ duplicate: false });
    expect(await c.createApplication(String(recruitment.id), application)).toEqual({ applicationId: first.applicationId, duplicate: true });
    const invalid = await failure(
      c.createApplication(String(recruitment.id), { ...application, externalId: 'inhire-43', originId: '999' }),
    );
    expect(invalid?.message).toBe('eRecruiter answered 400: ValidationError: Origin 999 does not exist.');
    expect(invalid?.nonRetryable).toBe(true);
  });

  it('reads inhire’s ready candidates page by page, downloads a CV, and sets a status once however often it is sent', async () => {
    inhire.addKey('inhire-clients-key', 'clients');
    const ready = inhire.addReady(12, 120, { account: 'clients' });
    const c = new InhireClient({ baseUrl: urls.inhireBaseUrl, apiKey: 'inhire-clients-key', origins, baseDelayMs: 1 });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.readyCandidates(undefined, cursor);
      seen.push(...page.data.map((x) => x.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(ready.map((x) => x.id));
    const later = await c.readyCandidates(ready[99].updatedAt, undefined);
    expect(later.data.map((x) => x.id)).toEqual(ready.slice(100).map((x) => x.id));

    const cv = await c.cv(ready[0].id);
    expect(cv).toMatchObject({ contentType: 'application/pdf', fileName: `cv-${ready[0].id}.pdf` });
    expect(cv.content.equals(ready[0].cv?.bytes as Buffer)).toBe(true);

    await c.setStatus(ready[0].id, 'evaluating', '2027-03-28T15:00:00.000Z');
    await c.setStatus(ready[0].id, 'evaluating', '2027-03-28T15:00:00.000Z');
    expect(inhire.mustGet(ready[0].id).statusChanges).toEqual([
      { status: 'evaluating', changedAt: '2027-03-28T15:00:00.000Z', source: 'erecruiter' },
    ]);
    const unknown = await failure(c.setStatus(ready[0].id, 'maybe', '2027-03-28T15:00:00.000Z'));
    expect(unknown?.message).toContain('inhire answered 422: status must be one of');

    // Another account's key sees none of these candidates.
    const other = new InhireClient({ baseUrl: urls.inhireBaseUrl, apiKey: SANDBOX_INHIRE_KEY, origins });
    expect((await other.readyCandidates(undefined, undefined)).data.filter((x) => seen.includes(x.id))).toEqual([]);
  });
});
