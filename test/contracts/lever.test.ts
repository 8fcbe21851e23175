import express from 'express';
import { LeverClient } from '../../src/providers/lever/client';
import { LeverSandbox, SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { LeverPosting } from '../../src/providers/lever/schemas';
import { type Clock, TokenBucket } from '../../src/providers/rate-limit';
import { leverConnector, waitForRuns } from '../fixtures/connectors';
import { sandboxOrigins } from '../helpers/origins';
import { type Served, serve } from '../helpers/serve';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { example, shapeDifferences } from './shape';

// Lever's v1 contract as written in ../shared/providers/lever-smartrecruiters.md (part 1), held as literal examples
// in ./examples: what our client sends and accepts is compared with them, and so is what the sandbox answers.

const postingsPage = example('lever-postings-page');
const [documentedPosting] = postingsPage.data;
/** `next` may be missing when `hasNext` is false; `content` comes only with include=content; salary fields are optional. */
const OPTIONAL = ['next', 'data[].content', 'data[].salaryRange', 'data[].salaryDescription', 'data[].salaryDescriptionHtml'];
const API_KEY = 'contract-key-0001';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('Lever contract: what jobrelay sends and accepts, against the documented examples', () => {
  let t: TestSystem;
  let lever: Served;
  let sandbox: LeverSandbox;
  let limited: Served;
  const postingsRequests: Array<{ query: Record<string, unknown>; authorization?: string }> = [];

  beforeAll(async () => {
    // A stand-in for Lever answering with the documented page, then an empty last page for the `next` it gave.
    const app = express();
    app.set('query parser', 'extended');
    app.get('/v1/postings', (req, res) => {
      postingsRequests.push({ query: req.query, authorization: req.headers.authorization });
      if (req.query.offset === undefined) return res.json(postingsPage);
      if (req.query.offset === postingsPage.next) return res.json({ data: [], hasNext: false });
      res.status(400).json({ code: 'BadRequestError', message: 'Invalid offset token' });
    });
    app.get('/v1/*path', (_req, res) => res.json({ data: [], hasNext: false }));
    sandbox = new LeverSandbox(); // Lever's documented limit: 10 requests a second, bursts of 20, per key
    sandbox.seed({ postings: 10, opportunities: 25, resumes: true, seed: 31 });
    [t, lever, limited] = await Promise.all([startTestSystem(), serve(app), serve(sandbox.app)]);
  });
  afterAll(async () => {
    await t?.stop();
    await lever?.close();
    await limited?.close();
  });

  it('reads the documented postings page into a job, and sends the key and the offset token as documented', async () => {
    const created = await t.api('POST', '/v1/connectors', leverConnector(`${lever.url}/v1`, API_KEY, { syncResumes: false }));
    expect(created.status).toBe(201);
    await waitForRuns(t, created.body.id, 1);

    const jobs = (await t.api('GET', '/v1/jobs?source=lever')).body.items;
    expect(jobs).toEqual([
      expect.objectContaining({
        externalId: documentedPosting.id,
        title: documentedPosting.text,
        reference: documentedPosting.reqCode,
        location: { city: 'London', country: 'GB' },
        workplace: 'hybrid',
        employmentStatus: 'Full-time',
        salary: { min: 70000, max: 90000, currency: 'GBP', period: 'annum' },
        published: true,
      }),
    ]);
    expect(jobs[0].description).toContain(documentedPosting.content.descriptionHtml);

    expect(postingsRequests.map((r) => r.query.offset)).toEqual([undefined, postingsPage.next]);
    for (const r of postingsRequests) {
      expect(r.authorization).toBe(basic(API_KEY));
      expect(Number(r.query.limit)).toBeGreaterThanOrEqual(1);
      expect(Number(r.query.limit)).toBeLessThanOrEqual(100);
      expect(r.query.include).toBe('content');
    }
  });

  it('paces a sync under Lever’s 10/s (bursts of 20): more requests than one burst, not one 429', async () => {
    const connector = leverConnector(`${limited.url}/v1`, SANDBOX_API_KEY, { rateLimit: undefined });
    const created = await t.api('POST', '/v1/connectors', connector);
    expect(created.body.settings.rateLimit).toEqual({ perSecond: 9, burst: 18 });
    const done = await waitForRuns(t, created.body.id, 1);
    expect(done.status.streams.candidates.created).toBeGreaterThan(0);
    const statuses = sandbox.requests.map((r) => r.status);
    expect(statuses.length).toBeGreaterThan(40);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

describe('Lever client waits out a Retry-After', () => {
  it('sends nothing until Retry-After: 120 has passed on its clock, then goes on', async () => {
    const clock: Clock & { t: number } = {
      t: Date.parse('2026-11-27T09:00:00Z'),
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
    };
    const sandbox = new LeverSandbox({ retryAfterSeconds: 120 });
    sandbox.seed({ postings: 3, seed: 5 });
    const sentAt: number[] = [];
    const served = await serve((req, res) => {
      sentAt.push(clock.now());
      sandbox.faults.throttleRate = sentAt.length === 1 ? 1 : 0; // the first request is answered 429
      sandbox.app(req, res);
    });
    try {
      const client = new LeverClient({
        baseUrl: `${served.url}/v1`,
        apiKey: SANDBOX_API_KEY,
        limiter: new TokenBucket({ perSecond: 9, burst: 18 }, clock),
        origins: sandboxOrigins(),
      });
      const page = await client.list('/postings', LeverPosting, { limit: 10 });
      expect(page.data).toHaveLength(3);
      expect(sandbox.requests.map((r) => r.status)).toEqual([429, 200]);
      expect(sentAt[1] - sentAt[0]).toBeGreaterThanOrEqual(120_000);
    } finally {
      await served.close();
    }
  });
});

describe('Lever sandbox: the documented examples drive it', () => {
  let sandbox: LeverSandbox;
  let served: Served;
  const get = async (path: string, key = SANDBOX_API_KEY) => {
    const res = await fetch(`${served.url}${path}`, { headers: { authorization: basic(key) } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    sandbox = new LeverSandbox();
    sandbox.seed({ postings: 30, seed: 8 });
    served = await serve(sandbox.app);
  });
  afterAll(() => served?.close());

  it('answers /postings pages in the documented shape, with an opaque next only while hasNext', async () => {
    const first = await get('/v1/postings?include=content&limit=20&confidentiality=all');
    expect(shapeDifferences(first.body, postingsPage, { optional: OPTIONAL })).toEqual([]);
    expect(first.body).toMatchObject({ hasNext: true, next: expect.any(String) });
    expect(first.body.data.every((p: { content?: unknown }) => p.content)).toBe(true);
    const last = await get(`/v1/postings?include=content&limit=20&confidentiality=all&offset=${first.body.next}`);
    expect(shapeDifferences(last.body, postingsPage, { optional: OPTIONAL })).toEqual([]);
    expect(last.body.hasNext).toBe(false);
    expect(last.body).not.toHaveProperty('next');
    const withoutContent = await get('/v1/postings?limit=5');
    expect(withoutContent.body.data.some((p: { content?: unknown }) => p.content)).toBe(false);
  });

  it('allows a burst of 20 requests per key, then 10 a second, and answers the rest 429 with Lever’s {code, message}', async () => {
    // The sandbox's rate clock held still, so the count does not depend on how fast this machine sends.
    const clock = { ms: 0 };
    const limited = new LeverSandbox({ rateClock: () => clock.ms });
    const server = await serve(limited.app);
    const send = async () => {
      const res = await fetch(`${server.url}/v1/postings?limit=1`, { headers: { authorization: basic(SANDBOX_API_KEY) } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      const burst = await Promise.all(Array.from({ length: 30 }, send));
      expect(burst.filter((a) => a.status === 200)).toHaveLength(20);
      const refused = burst.filter((a) => a.status === 429);
      expect(refused).toHaveLength(10);
      expect(refused[0].body).toEqual({ code: 'TooManyRequestsError', message: expect.any(String) });
      clock.ms += 1000; // a second later: ten more
      const next = await Promise.all(Array.from({ length: 12 }, send));
      expect(next.map((a) => a.status).sort()).toEqual([...Array(10).fill(200), 429, 429]);
      limited.addKey('another-key-0001'); // another key has its own bucket
      const other = await fetch(`${server.url}/v1/postings?limit=1`, { headers: { authorization: basic('another-key-0001') } });
      expect(other.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers 401 with {code, message} without the key', async () => {
    const res = await fetch(`${served.url}/v1/postings`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'UnauthorizedError', message: expect.any(String) });
  });
});
