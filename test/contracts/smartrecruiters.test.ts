import type http from 'node:http';
import express from 'express';
import { EndpointLimits } from '../../src/providers/rate-limit';
import { familyOf, SmartRecruitersClient } from '../../src/providers/smartrecruiters/client';
import { SANDBOX_API_KEY } from '../../src/providers/smartrecruiters/sandbox';
import { runSmartRecruitersSandbox } from '../fixtures/smartrecruiters';
import { sandboxOrigins } from '../helpers/origins';
import { example, shapeDifferences } from './shape';

// The literal examples in ./examples were written from SmartRecruiters' documentation (../shared/providers). The
// client must read them; the sandbox (written from the same documentation, not from the client) must answer in
// their shape. A misreading on either side fails here.

const limits = () =>
  new EndpointLimits(
    Object.fromEntries(
      ['postings', 'posting', 'candidates', 'candidate', 'attachments', 'attachment'].map((f) => [f, { perSecond: 1000, burst: 100 }]),
    ),
  );

describe('SmartRecruiters: the client reads the documented examples', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Array<{ path: string; token?: string; query: unknown }> = [];
  beforeAll(async () => {
    const app = express();
    app.use((req, _res, next) => {
      seen.push({ path: req.path, token: req.get('x-smarttoken'), query: { ...req.query } });
      next();
    });
    app.get('/api/v1/companies/smartrecruiters/postings', (_req, res) => res.json(example('smartrecruiters-postings-page')));
    app.get('/api/v1/companies/smartrecruiters/postings/:id', (_req, res) => res.json(example('smartrecruiters-posting')));
    app.get('/api/candidates', (req, res) => {
      const page = example('smartrecruiters-candidates-page');
      // The second style the documentation gives: the cursor only in a Link header.
      if (req.query.pageId) {
        delete page.nextPageId;
        res.set('Link', '<https://api.smartrecruiters.com/candidates?limit=10&pageId=from-link>; rel="next"');
      }
      res.json(page);
    });
    app.get('/api/candidates/:id', (_req, res) => res.json(example('smartrecruiters-candidate')));
    app.get('/api/candidates/:id/attachments', (_req, res) => res.json(example('smartrecruiters-attachments')));
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads postings, details, candidates (cursor from the body or the Link header), details and attachments; the key only on /candidates', async () => {
    const client = new SmartRecruitersClient({
      baseUrl,
      companyIdentifier: 'smartrecruiters',
      apiKey: 'key-123456',
      endpoints: limits(),
      origins: sandboxOrigins(),
    });
    const postings = await client.postings(0, 10);
    expect(postings).toMatchObject({
      totalFound: 2,
      content: [{ id: '75551135', releasedDate: '2014-02-19T19:36:42.346Z' }, { id: '74983486' }],
    });
    const posting = await client.posting('75551135');
    expect(posting?.jobAd?.sections?.qualifications?.text).toBe('<ul><li>Ten years in customer success</li></ul>');
    const page = await client.candidates({ limit: 10, updatedAfter: '2026-01-01T00:00:00.000Z' });
    expect(page.next).toBe('SKYfn51MDIxNzAzMGM5ZGQ3YjE0');
    expect(page.content[0]).toMatchObject({
      primaryAssignment: { status: 'IN_REVIEW', job: { id: '3c6f2a7e-5b1d-4e8f-9a0b-1c2d3e4f5a6b' } },
    });
    expect((await client.candidates({ limit: 10, pageId: page.next })).next).toBe('from-link');
    expect((await client.candidate('788dfc72-0ec2-4bfa-9dcf-4c2e1a2b3c4d'))?.education?.[0]?.institution).toBe(
      'AGH University of Science and Technology',
    );
    expect((await client.attachments('788dfc72-0ec2-4bfa-9dcf-4c2e1a2b3c4d')).content.map((a) => a.type)).toEqual(['RESUME', 'AVATAR']);
    expect(seen.filter((r) => r.path.includes('/postings')).every((r) => r.token === undefined)).toBe(true);
    expect(seen.filter((r) => r.path.includes('/candidates')).every((r) => r.token === 'key-123456')).toBe(true);
    expect(seen.find((r) => r.path === '/api/candidates')?.query).toEqual({ limit: '10', updatedAfter: '2026-01-01T00:00:00.000Z' });
  });

  it('counts each endpoint on its own, as SmartRecruiters limits them', () => {
    const family = (url: string) => familyOf({ url }, baseUrl);
    expect(family('/v1/companies/x/postings')).toBe('postings');
    expect(family('/v1/companies/x/postings/1')).toBe('posting');
    expect(family('/candidates')).toBe('candidates');
    expect(family('/candidates/a')).toBe('candidate');
    expect(family('/candidates/a/attachments')).toBe('attachments');
    expect(family(`${baseUrl}/candidates/a/attachments/b`)).toBe('attachment');
  });
});

describe('SmartRecruiters: the sandbox answers in the documented shapes', () => {
  it('postings, posting details, candidates, candidate details and attachments', async () => {
    const s = await runSmartRecruitersSandbox({ company: 'smartrecruiters' });
    try {
      s.sandbox.seed({ postings: 3, candidates: 4, seed: 1 });
      const get = async (url: string, key?: string) => {
        const res = await fetch(`${s.baseUrl}${url}`, { headers: key ? { 'x-smarttoken': key } : {} });
        return { status: res.status, headers: res.headers, body: (await res.json()) as any };
      };
      const postings = await get('/v1/companies/smartrecruiters/postings?limit=2');
      const postingsPage = example('smartrecruiters-postings-page');
      // The documented posting has a location with coordinates; list items may be partial (the second has none).
      const coordinates = { optional: ['content[].location.latitude', 'content[].location.longitude'] };
      expect(shapeDifferences(postings.body, postingsPage, coordinates)).toEqual([]);
      expect(postings.body).toMatchObject({ offset: 0, limit: 2, totalFound: 3 });
      expect(postings.headers.get('x-ratelimit-limit')).toBe('10');
      expect(postings.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
      expect(postings.headers.get('x-ratelimit-concurrent-limit')).toBe('8');
      expect(postings.headers.get('x-ratelimit-concurrent-remaining')).toMatch(/^\d+$/);
      expect((await get('/v1/companies/smartrecruiters/postings?limit=101')).status).toBe(400);
      expect((await get('/v1/companies/SmartRecruiters/postings')).status).toBe(404);

      const all = (await get('/v1/companies/smartrecruiters/postings?limit=100')).body.content as Array<{ id: string; customField: [] }>;
      const details = await get(`/v1/companies/smartrecruiters/postings/${all.find((p) => p.customField.length)?.id}`);
      // Every list field plus the job ad: its custom fields as the list documents them.
      const documentedDetails = { ...example('smartrecruiters-posting'), customField: postingsPage.content[0].customField };
      expect(details.body.customField).not.toEqual([]);
      expect(shapeDifferences(details.body, documentedDetails)).toEqual([]);

      expect((await get('/candidates')).status).toBe(401);
      const page = await get('/candidates?limit=3', SANDBOX_API_KEY);
      const documented = example('smartrecruiters-candidates-page');
      expect(shapeDifferences(page.body, documented)).toEqual([]);
      expect(page.body.content[0].updatedOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(page.headers.get('x-ratelimit-concurrent-limit')).toBe('1');
      expect(page.headers.get('link')).toContain(`pageId=${page.body.nextPageId}>; rel="next"`);
      const rest = await get(`/candidates?limit=3&pageId=${page.body.nextPageId}`, SANDBOX_API_KEY);
      expect(rest.body.content).toHaveLength(1);
      expect(rest.body.nextPageId).toBeUndefined();
      expect((await get('/candidates?limit=3&pageId=bogus', SANDBOX_API_KEY)).status).toBe(400);

      const id = page.body.content[0].id;
      expect(shapeDifferences((await get(`/candidates/${id}`, SANDBOX_API_KEY)).body, example('smartrecruiters-candidate'))).toEqual([]);
      const attachments = (await get(`/candidates/${id}/attachments`, SANDBOX_API_KEY)).body;
      expect(shapeDifferences(attachments, example('smartrecruiters-attachments'))).toEqual([]);
      const file = await fetch(attachments.content[0].actions.download.url, { headers: { 'x-smarttoken': SANDBOX_API_KEY } });
      expect(file.headers.get('content-type')).toContain(attachments.content[0].contentType);
    } finally {
      await s.close();
    }
  });

  it('answers 429 and counts a violation when GET /candidates is called twice at once on one key', async () => {
    const s = await runSmartRecruitersSandbox();
    try {
      s.sandbox.seed({ candidates: 5, seed: 2 });
      s.sandbox.faults.latencyMs = 200;
      const call = () => fetch(`${s.baseUrl}/candidates?limit=1`, { headers: { 'x-smarttoken': SANDBOX_API_KEY } }).then((r) => r.status);
      const statuses = await Promise.all([call(), call()]);
      expect(statuses.sort()).toEqual([200, 429]);
      expect(s.sandbox.violations).toMatchObject({
        concurrency: 1,
        rate: 0,
        byEndpoint: { 'GET /candidates': { concurrency: 1, rate: 0 } },
      });
      // The client serialises them: none refused.
      const client = new SmartRecruitersClient({
        baseUrl: s.baseUrl,
        companyIdentifier: 'AcmeCorp',
        apiKey: SANDBOX_API_KEY,
        origins: sandboxOrigins(),
        endpoints: new EndpointLimits({ candidates: { perSecond: 100, burst: 10, concurrency: 1 } }),
      });
      await Promise.all([1, 2, 3].map(() => client.candidates({ limit: 1 })));
      expect(s.sandbox.violations.concurrency).toBe(1);
      expect(client.requests).toBe(3);
    } finally {
      await s.close();
    }
  });
});
