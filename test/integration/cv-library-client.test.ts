import type http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import express from 'express';
import { ProviderErrorType } from '../../src/domain/failures';
import {
  type CvLibraryClient,
  type CvLibraryCredentials,
  type CvLibraryJob,
  type CvLibrarySandbox,
  createCvLibraryClient,
  createCvLibrarySandbox,
} from '../../src/providers/cv-library';
import { startSandboxes } from '../../src/providers/sandboxes';
import { sandboxOrigins } from '../helpers/origins';

const DAY = 86_400_000;
const START = Date.parse('2026-03-02T09:00:00.000Z');
const POSTER = 'poster@acme.example';
const BASIC = { username: 'acme-api', password: 'basic-pa55word' };
const CLIENT = { clientId: 'acme-client', clientSecret: 'client-s3cret-key' };

const aCvJob = (overrides: Partial<CvLibraryJob> = {}): CvLibraryJob => ({
  reference: 'jr-REQ-1042',
  title: 'Payroll Administrator',
  description: '<p>Run payroll for 400 staff.</p>',
  job_type: 'Permanent',
  industry: 'Accounting/Financial/Insurance',
  salary_from: 28000,
  salary_to: 32000,
  salary_period: 'annum',
  salary_currency: 'GBP',
  town: 'Leeds',
  county: 'West Yorkshire',
  postcode: 'LS1 4AP',
  country: 'GB',
  poster_email: POSTER,
  direct_apply_url: 'http://127.0.0.1:9/applications',
  cv_required: false,
  duration_days: 28,
  ...overrides,
});

describe('CV-Library client against the sandbox', () => {
  let sandbox: CvLibrarySandbox;
  let server: http.Server;
  let baseUrl: string;
  const clock = { now: START };
  const rateClock = { ms: 0 };

  beforeAll(async () => {
    // The rate limit on a clock of the test's own: a burst is counted the same on a fast or a busy machine.
    sandbox = createCvLibrarySandbox({ now: () => clock.now, rateClock: () => rateClock.ms });
    // Mounted under a path, as `startSandboxes` does, so the client must keep the base URL's path.
    const root = express().use('/cv-library', sandbox.app);
    server = await new Promise((resolve) => {
      const s = root.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/cv-library`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(async () => {
    clock.now = START;
    rateClock.ms += 60_000; // every account's bucket full again
    await control('POST', '/_sandbox/reset');
    await control('POST', '/_sandbox/accounts', { ...BASIC, posterEmails: [POSTER] });
    await control('POST', '/_sandbox/accounts', { ...CLIENT, posterEmails: [POSTER] });
  });

  async function control(method: string, path: string, body?: unknown) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { jobs: Array<Record<string, unknown>>; tokenRequests: number } };
  }
  const sandboxJobs = async () => (await control('GET', '/_sandbox/jobs')).body.jobs as Array<Record<string, unknown>>;
  const client = (credentials: CvLibraryCredentials = CLIENT, posterEmail = POSTER): CvLibraryClient =>
    createCvLibraryClient({ baseUrl, credentials, posterEmail, timeoutMs: 3000, origins: sandboxOrigins() });

  /** The ApplicationFailure a call rejected with. */
  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  describe.each([
    ['client id + secret (OAuth2)', CLIENT],
    ['username + password (Basic)', BASIC],
  ])('with %s', (_style, credentials) => {
    it('posts a job that expires 28 days later, with a link to view it on CV-Library', async () => {
      const published = await client(credentials).createJob(aCvJob());
      expect(published.jobId).toMatch(/^\d+$/);
      expect(published.url).toBe(`https://www.cv-library.co.uk/job/${published.jobId}/payroll-administrator`);
      expect(published.expiresAt).toBe(new Date(START + 28 * DAY).toISOString());
      expect(await client(credentials).getJob(published.jobId)).toEqual({ ...published, reference: 'jr-REQ-1042', status: 'live' });
    });

    it('unposts a job, and calls a second unpost already gone', async () => {
      const { jobId } = await client(credentials).createJob(aCvJob());
      expect(await client(credentials).deleteJob(jobId)).toBe('deleted');
      expect(await client(credentials).deleteJob(jobId)).toBe('already-gone');
      expect(await client(credentials).deleteJob('999999999')).toBe('already-gone');
      expect((await client(credentials).getJob(jobId))?.status).toBe('deleted');
      expect(await client(credentials).getJob('999999999')).toBeUndefined();
    });
  });

  it('amends a live job without extending its expiry', async () => {
    const c = client();
    const first = await c.createJob(aCvJob());
    clock.now += 3 * DAY;
    const amended = await c.updateJob(first.jobId, aCvJob({ title: 'Senior Payroll Administrator', salary_to: 36000 }));
    expect(amended).toEqual({
      jobId: first.jobId,
      url: `https://www.cv-library.co.uk/job/${first.jobId}/senior-payroll-administrator`,
      expiresAt: first.expiresAt,
    });
    const [onBoard] = await sandboxJobs();
    expect(onBoard).toMatchObject({ title: 'Senior Payroll Administrator', salary_to: 36000, status: 'live' });
  });

  it('answers a repeated create of a live reference with the job already posted, leaving one live job', async () => {
    const c = client();
    const first = await c.createJob(aCvJob());
    const again = await c.createJob(aCvJob());
    expect(again).toEqual(first);
    expect(await c.listLiveJobs()).toHaveLength(1);
    const jobs = await sandboxJobs();
    expect(jobs.filter((j) => j.status === 'live')).toHaveLength(1);
    // The first create, the refused one, and the client's look-up of the job the 409 named.
    expect(jobs[0].requests).toBe(3);
  });

  it('posts the same reference as a new job once the old one is gone (a repost)', async () => {
    const c = client();
    const first = await c.createJob(aCvJob());
    await c.deleteJob(first.jobId);
    const second = await c.createJob(aCvJob());
    expect(second.jobId).not.toBe(first.jobId);
    expect((await sandboxJobs()).map((j) => j.status)).toEqual(['deleted', 'live']);
  });

  it('lets a job expire after 28 days on the board clock: status expired, gone from the live list', async () => {
    const c = client();
    const { jobId } = await c.createJob(aCvJob());
    clock.now += 28 * DAY - 1000;
    expect((await c.getJob(jobId))?.status).toBe('live');
    await control('POST', '/_sandbox/clock', { advanceMs: 1000 });
    expect((await c.getJob(jobId))?.status).toBe('expired');
    expect(await c.listLiveJobs()).toEqual([]);
    expect(await c.deleteJob(jobId)).toBe('already-gone');
  });

  it('reuses one OAuth token, and fetches one more when the board stops accepting it', async () => {
    const c = client();
    const { jobId } = await c.createJob(aCvJob());
    await c.getJob(jobId);
    await c.listLiveJobs();
    expect(sandbox.state.tokenRequests).toBe(1);
    // The board's token lifetime (1 h) passes on its clock, not ours: the cached token is refused once.
    clock.now += 2 * 3600_000;
    expect((await c.getJob(jobId))?.status).toBe('live');
    expect(sandbox.state.tokenRequests).toBe(2);
    expect((await control('GET', '/_sandbox/stats')).body.tokenRequests).toBe(2);
  });

  it.each([
    ['a wrong password', { ...BASIC, password: 'wrong-pa55word' }, 'unauthorized: invalid username or password', 'wrong-pa55word'],
    [
      'a wrong client secret',
      { ...CLIENT, clientSecret: 'wrong-s3cret' },
      'invalid_client: unknown client id or wrong secret key',
      'wrong-s3cret',
    ],
  ])('stops at %s with a non-retryable auth failure that does not show the secret', async (_what, credentials, reason, secret) => {
    const failure = await failureOf(client(credentials).createJob(aCvJob()));
    expect(failure.type).toBe(ProviderErrorType.Auth);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`CV-Library answered 401: ${reason}`);
    expect(JSON.stringify({ message: failure.message, details: failure.details, cause: String(failure.cause) })).not.toContain(secret);
    expect(await sandboxJobs()).toEqual([]);
    await expect(client(credentials).testConnection()).rejects.toMatchObject({ type: ProviderErrorType.Auth });
  });

  it('stops at a refused field with a non-retryable validation failure naming it', async () => {
    const stranger = await failureOf(client(CLIENT, 'someone@else.example').createJob(aCvJob()));
    expect(stranger).toMatchObject({ type: ProviderErrorType.Validation, nonRetryable: true });
    expect(stranger.message).toBe(
      'CV-Library answered 422: invalid_field: poster_email: someone@else.example is not a poster on this account',
    );
    const badType = await failureOf(client().createJob(aCvJob({ job_type: 'Fulltime' as CvLibraryJob['job_type'] })));
    expect(badType).toMatchObject({ type: ProviderErrorType.Validation, nonRetryable: true });
    expect(badType.message).toMatch(/^CV-Library answered 422: invalid_field: job_type must be one of Permanent, .*\(got "Fulltime"\)$/);
    const missing = await failureOf(client().createJob({ ...aCvJob(), postcode: undefined } as unknown as CvLibraryJob));
    expect(missing.message).toBe('CV-Library answered 422: invalid_field: postcode is required');
    await expect(client(CLIENT, 'someone@else.example').testConnection()).rejects.toMatchObject({ type: ProviderErrorType.Validation });
    await expect(client().testConnection()).resolves.toBeUndefined();
  });

  it('leaves a 429 to be retried after the board’s Retry-After', async () => {
    await control('POST', '/_sandbox/faults', { failNext: [{ status: 429, count: 1 }], retryAfterSec: 7 });
    const failure = await failureOf(client(BASIC).createJob(aCvJob()));
    expect(failure).toMatchObject({ type: ProviderErrorType.RateLimited, nonRetryable: false, nextRetryDelay: 7000 });
    expect((await client(BASIC).createJob(aCvJob())).jobId).toMatch(/^\d+$/);
  });

  it('leaves 5xx answers and dropped connections to be retried', async () => {
    await control('POST', '/_sandbox/faults', { failNext: [{ status: 503, count: 1 }] });
    expect(await failureOf(client(BASIC).listLiveJobs())).toMatchObject({ type: ProviderErrorType.Unavailable, nonRetryable: false });
    await control('POST', '/_sandbox/faults', { dropConnection: 1 });
    const dropped = await failureOf(client(BASIC).listLiveJobs());
    expect(dropped).toMatchObject({ type: ProviderErrorType.Unavailable, nonRetryable: false });
    expect(dropped.message).toMatch(/^CV-Library: no answer/);
  });

  it('injects a repeatable share of faults for a seed', async () => {
    const outcomes = async () => {
      await control('POST', '/_sandbox/faults', { rate5xx: 0.5, seed: 42 });
      const c = client(BASIC);
      const results: string[] = [];
      for (let i = 0; i < 8; i++)
        results.push(
          await c.listLiveJobs().then(
            () => 'ok',
            (e: ApplicationFailure) => e.type ?? 'error',
          ),
        );
      return results;
    };
    const first = await outcomes();
    expect(first).toContain('ok');
    expect(first).toContain(ProviderErrorType.Unavailable);
    expect(await outcomes()).toEqual(first);
  });

  it('limits each account to bursts of 20 requests, answering 429 with Retry-After', async () => {
    const c = client(BASIC);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        c.listLiveJobs().then(
          () => 'ok',
          (e: ApplicationFailure) => e,
        ),
      ),
    );
    const limited = results.filter((r): r is ApplicationFailure => r !== 'ok');
    expect(results.filter((r) => r === 'ok')).toHaveLength(20);
    expect(limited).toHaveLength(10);
    expect(limited[0]).toMatchObject({ type: ProviderErrorType.RateLimited, nextRetryDelay: 1000 });
    // Another account has its own bucket.
    await expect(client(CLIENT).listLiveJobs()).resolves.toEqual([]);
  });

  it('is served by the provider registry under /cv-library', async () => {
    const running = await startSandboxes(0);
    try {
      const url = running.urlFor('cv-library');
      await fetch(`${url}/_sandbox/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...BASIC, posterEmails: [POSTER] }),
      });
      const posted = await createCvLibraryClient({
        baseUrl: url,
        credentials: BASIC,
        posterEmail: POSTER,
        origins: sandboxOrigins(),
      }).createJob(aCvJob());
      expect(posted.jobId).toMatch(/^\d+$/);
    } finally {
      await running.close();
    }
  });
});
