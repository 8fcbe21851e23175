import { ApplicationFailure } from '@temporalio/common';
import type { RequestRetry } from '../../src/providers/http';
import { LeverClient } from '../../src/providers/lever/client';
import { SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { LeverOpportunity, LeverPosting } from '../../src/providers/lever/schemas';
import { TokenBucket } from '../../src/providers/rate-limit';
import { runLeverSandbox } from '../fixtures/lever';
import { sandboxOrigins } from '../helpers/origins';

type Running = Awaited<ReturnType<typeof runLeverSandbox>>;

const client = (r: Running, apiKey = SANDBOX_API_KEY, perSecond = 1000, attempts?: number) =>
  new LeverClient({
    attempts,
    baseUrl: r.baseUrl,
    apiKey,
    origins: sandboxOrigins(),
    limiter: new TokenBucket({ perSecond, burst: perSecond }),
    baseDelayMs: 5,
    maxDelayMs: 50,
  });

describe('Lever client against the sandbox', () => {
  let r: Running;
  beforeAll(async () => {
    r = await runLeverSandbox({ rateLimit: { perSecond: 200, burst: 20 } });
    r.sandbox.seed({ postings: 30, opportunities: 250, resumes: true, confidentialShare: 0.1 });
  });
  afterAll(() => r.close());
  beforeEach(() => {
    r.sandbox.faults = { errorRate: 0, throttleRate: 0, latencyMs: 0, dropRate: 0 };
  });

  it('pages with opaque offset tokens until hasNext is false, in ms timestamps', async () => {
    const c = client(r);
    const ids: string[] = [];
    let offset: string | undefined;
    do {
      const page = await c.list('/opportunities', LeverOpportunity, { limit: 100, confidentiality: 'all' }, offset);
      ids.push(...page.data.map((o) => o.id));
      expect(typeof page.data[0].updatedAt).toBe('number');
      offset = page.hasNext ? (page.next ?? undefined) : undefined;
      if (offset) expect(offset).not.toMatch(/^\d+$/);
    } while (offset);
    expect(new Set(ids).size).toBe(250);
  });

  it('leaves confidential records out unless asked, and refuses a key without confidential access', async () => {
    const all = await client(r).list('/opportunities', LeverOpportunity, { limit: 100, confidentiality: 'all' });
    const plain = await client(r).list('/opportunities', LeverOpportunity, { limit: 100 });
    expect(plain.data.every((o) => o.confidentiality === 'non-confidential')).toBe(true);
    expect(all.data.some((o) => o.confidentiality === 'confidential')).toBe(true);
    r.sandbox.addKey('no-confidential-key', { confidential: false });
    await expect(client(r, 'no-confidential-key').list('/postings', LeverPosting, { confidentiality: 'all' })).rejects.toMatchObject({
      type: 'ProviderAuthError',
      nonRetryable: true,
      message: 'Lever answered 403: ForbiddenError: API key does not have access to confidential data',
    });
  });

  it('filters inclusively on updated_at_start/end', async () => {
    const some = [...r.sandbox.opportunities.values()].filter((o) => o.confidentiality === 'non-confidential')[5];
    const page = await client(r).list('/opportunities', LeverOpportunity, {
      updated_at_start: some.updatedAt,
      updated_at_end: some.updatedAt,
    });
    expect(page.data.map((o) => o.id)).toContain(some.id);
    expect(page.data.every((o) => o.updatedAt === some.updatedAt)).toBe(true);
  });

  it('turns a wrong key into a non-retryable failure with Lever’s message, without retrying', async () => {
    const before = r.sandbox.requests.length;
    const err = await client(r, 'wrong-key-123')
      .list('/postings', LeverPosting, {})
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({
      type: 'ProviderAuthError',
      nonRetryable: true,
      message: 'Lever answered 401: UnauthorizedError: Invalid API key',
    });
    expect(r.sandbox.requests.length - before).toBe(1);
  });

  it('names the missing permission in a 403', async () => {
    r.sandbox.addKey('postings-only-key', { permissions: ['list postings'] });
    await expect(client(r, 'postings-only-key').list('/opportunities', LeverOpportunity, {})).rejects.toMatchObject({
      message: 'Lever answered 403: ForbiddenError: API key lacks the permission "list opportunities"',
    });
  });

  it('refuses an offset token that does not belong to the query', async () => {
    const first = await client(r).list('/opportunities', LeverOpportunity, { limit: 10 });
    await expect(
      client(r).list('/opportunities', LeverOpportunity, { limit: 10, archived: true }, first.next ?? undefined),
    ).rejects.toMatchObject({
      type: 'ProviderValidationError',
      message: expect.stringContaining('Invalid offset token'),
    });
  });

  it('rides out 429s from bursting past the bucket, 5xx and dropped connections', async () => {
    r.sandbox.faults = { errorRate: 0.2, throttleRate: 0.05, latencyMs: 0, dropRate: 0.03 };
    // 60 at once past the sandbox's burst of 20, with a fault on about a quarter of the rest: more tries than the
    // default 6, so the test shows riding out, not the odds of one request drawing seven faults in a row.
    const c = client(r, SANDBOX_API_KEY, 5000, 12);
    const results = await Promise.all(Array.from({ length: 60 }, () => c.list('/postings', LeverPosting, { limit: 1 })));
    expect(results).toHaveLength(60);
    const statuses = r.sandbox.requests.map((q) => q.status);
    expect(statuses).toEqual(expect.arrayContaining([429, 200]));
    expect(statuses.some((s) => s >= 500)).toBe(true);
    expect(c.requests).toBeGreaterThan(60);
  });

  it('says which request it is trying again, and why, until it is answered or given up', async () => {
    const seen: Array<RequestRetry | undefined> = [];
    const watched = (onRetrying: (retry: RequestRetry | undefined) => void) =>
      new LeverClient({
        baseUrl: r.baseUrl,
        apiKey: SANDBOX_API_KEY,
        origins: sandboxOrigins(),
        limiter: new TokenBucket({ perSecond: 1000, burst: 1000 }),
        attempts: 3,
        baseDelayMs: 5,
        maxDelayMs: 50,
        onRetrying,
      });
    r.sandbox.faults = { ...r.sandbox.faults, errorRate: 1 };
    const before = Date.now();
    const givenUp = watched((retry) => seen.push(retry));
    await expect(givenUp.list('/postings', LeverPosting, { limit: 1 })).rejects.toThrow(/^Lever answered 5\d\d/);
    expect(seen.map((s) => s?.attempt)).toEqual([2, 3, undefined]);
    for (const retry of seen.slice(0, 2)) {
      expect(retry?.message).toMatch(/^Lever answered 5\d\d/);
      expect(retry?.at).toBeGreaterThanOrEqual(before);
      expect(JSON.stringify(retry)).not.toContain(SANDBOX_API_KEY);
    }

    // Answered on its second try: the retry is shown, then cleared.
    seen.length = 0;
    const answered = watched((retry) => {
      seen.push(retry);
      r.sandbox.faults = { ...r.sandbox.faults, errorRate: 0 };
    });
    await expect(answered.list('/postings', LeverPosting, { limit: 1 })).resolves.toBeDefined();
    expect(seen.map((s) => s?.attempt)).toEqual([2, undefined]);
  });

  it('downloads a resume from Lever’s own host only', async () => {
    const o = [...r.sandbox.opportunities.values()][0];
    const c = client(r);
    const { data } = await c.list(`/opportunities/${o.id}/resumes`, require('../../src/providers/lever/schemas').LeverResume, {});
    const file = await c.download(data[0].file.downloadUrl);
    expect(file.contentType).toBe('application/pdf');
    expect(file.content.toString()).toContain(o.id);
    await expect(c.download('https://evil.example/steal')).rejects.toThrow('refusing to send the Lever key');
  });
});
