import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ProviderErrorType } from '../../src/domain/failures';
import { PostingOptions } from '../../src/domain/posting';
import { createLogger } from '../../src/logger';
import { TokenBucket } from '../../src/providers/rate-limit';
import type { Store } from '../../src/store';
import { defineConnector, defineStream, type FetchedPage } from '../../src/sync/connector';
import type { SyncProvider } from '../../src/sync/provider';
import type { PageRequest, PageResult } from '../../src/sync/types';
import type { JobDecision } from '../../src/sync/writes';
import { aJob } from '../fixtures/jobs';
import { sandboxOrigins } from '../helpers/origins';
import { describeEachStore, openTestStore } from '../helpers/stores';

// A provider written only against the engine (no Lever code): what SmartRecruiters and eRecruiter will plug into.

interface AtsJob {
  id: string;
  title: string;
  updatedAt: number;
  closed?: boolean;
}
interface AtsPerson {
  id: string;
  email: string;
  updatedAt: number;
  appliedTo: string;
}

const Settings = z.object({
  hideJobs: z.boolean().default(false),
  importUnknown: z.boolean().default(true),
  pageSize: z.number().default(2),
});
type Settings = z.infer<typeof Settings>;

/** An ATS in memory: offset paging (as eRecruiter), tokens it may forget (as Lever), answers it may refuse. */
class FakeAts {
  jobs: AtsJob[] = [];
  people: AtsPerson[] = [];
  requests = 0;
  /** Page tokens the provider has forgotten (each refused once, as an expired token would be). */
  forgotten = new Set<string>();
  /** The status each permission check answers with (200 unless set). */
  refusals: Record<string, number> = {};

  list<R extends { updatedAt: number }>(
    records: R[],
    since: number | undefined,
    until: number,
    token: string | undefined,
    size: number,
  ): FetchedPage<R> {
    this.requests++;
    if (token && this.forgotten.delete(token))
      throw ApplicationFailure.create({
        message: 'fake answered 400: unknown page token',
        type: ProviderErrorType.Validation,
        nonRetryable: true,
      });
    const inWindow = records.filter((r) => r.updatedAt >= (since ?? -Infinity) && r.updatedAt <= until);
    const offset = token ? Number(token) : 0;
    const next = offset + size < inWindow.length ? String(offset + size) : undefined;
    return { records: inWindow.slice(offset, offset + size), next, total: inWindow.length };
  }

  async try(permission: string): Promise<string> {
    this.requests++;
    const status = this.refusals[permission];
    if (status)
      throw ApplicationFailure.create({
        message: `fake answered ${status}: no ${permission}`,
        type: ProviderErrorType.Auth,
        nonRetryable: true,
        details: [{ status }],
      });
    return permission;
  }
}

function fakeConnector(ats: FakeAts): SyncProvider<Settings, { key: string }> {
  const schedule = () => ({ intervalMs: 60_000, overlapMs: 0 });
  return defineConnector({
    settings: Settings,
    credentials: z.object({ key: z.string() }),
    rateLimit: () => ({ perSecond: 1000, burst: 1000 }),
    maskCredentials: () => ({}),
    // Each activity's client counts its own requests, as a provider's client does (a page fetched ahead has its own).
    connect: () => Object.create(ats, { requests: { value: 0, writable: true } }),
    streams: {
      jobs: defineStream<AtsJob, Settings, FakeAts>({
        schedule,
        fetch: async (ctx, w, page) => ctx.client.list(ctx.client.jobs, w.since, w.until, page, ctx.settings.pageSize),
        identify: (j) => ({ id: j.id, updatedAt: j.updatedAt }),
        fingerprint: (s) => ({ hide: s.hideJobs }),
        rescanWhenRulesChange: true,
        isStalePage: (err) => err instanceof ApplicationFailure && /unknown page token/.test(err.message),
        async write(jobs, ctx, done) {
          for (const j of jobs) {
            const job = {
              ...aJob({ title: j.title, reference: j.id }),
              source: 'ignored',
              externalId: j.id,
              hidden: ctx.settings.hideJobs,
              published: true,
            };
            const decision: JobDecision = j.closed
              ? { action: 'unpublish', state: 'closed', reason: 'closed' }
              : j.title
                ? { action: 'import', job }
                : { action: 'skip', reason: 'no title' };
            done(j, await ctx.writer.job(j.id, decision));
          }
        },
      }),
      people: defineStream<AtsPerson, Settings, FakeAts>({
        schedule,
        fetch: async (ctx, w, page) => ctx.client.list(ctx.client.people, w.since, w.until, page, ctx.settings.pageSize),
        identify: (p) => ({ id: p.id, updatedAt: p.updatedAt }),
        fingerprint: (s) => ({ unknown: s.importUnknown }),
        async write(people, ctx, done) {
          for (const p of people) {
            const outcome = await ctx.writer.person({
              externalId: p.id,
              referrer: 'fake board',
              fields: { firstName: 'Pat', lastName: p.id, email: p.email },
              createIfUnknown: ctx.settings.importUnknown,
              applications: [
                { externalId: `app-${p.id}`, jobExternalId: p.appliedTo, status: 'new', appliedAt: new Date(p.updatedAt).toISOString() },
              ],
              cv: { filename: 'cv.txt', contentType: 'text/plain', content: Buffer.from(`cv of ${p.id}`) },
            });
            done(p, outcome);
          }
        },
      }),
    },
    credentialWords: { rejected: 'the key is refused', lacks: (permission) => `key lacks ${permission}` },
    async test(t, { client }) {
      await t.check('key', 'read jobs', () => client.try('read jobs'));
      if (t.credentialsRefused) return;
      await t.check('people', 'read people', () => client.try('read people'));
    },
  });
}

describeEachStore('the sync engine with a provider of its own', (kind) => {
  let store: Store;
  const logger = createLogger('error');
  beforeAll(async () => {
    store = await openTestStore(kind);
  });
  afterAll(() => store.close());

  async function setUp(settings: Partial<Settings> = {}) {
    const ats = new FakeAts();
    const provider = fakeConnector(ats);
    const connector = await store.connectors.create({ provider: 'fake-ats', name: 'Fake', settings: {}, credentials: { key: 'k' } });
    // Kept between pages, as the worker keeps it for each connector (a page fetched ahead waits there).
    const cache = new Map<string, unknown>();
    const source = (s: Partial<Settings> = settings) =>
      provider.open({
        connectorId: connector.id,
        provider: 'fake-ats',
        phoneCountry: 'GB',
        settings: Settings.parse(s),
        credentials: { key: 'k' },
        store,
        limiter: new TokenBucket({ perSecond: 1000, burst: 1000 }),
        heartbeat: () => {},
        logger,
        cache,
        origins: sandboxOrigins(),
        startWorkflow: () => Promise.reject(new Error('the fake ATS hands no record over')),
      });
    /** Every page of one run of the stream over [since, until]. */
    async function run(stream: string, s?: Partial<Settings>, first: Partial<PageRequest['position']> = {}) {
      const pages: PageResult[] = [];
      let position: PageRequest['position'] | undefined = { until: 10_000, backfill: true, ...first };
      while (position) {
        const page: PageResult = await source(s).page({ connectorId: connector.id, stream, position });
        pages.push(page);
        position = page.next;
      }
      const sum = (k: 'created' | 'updated' | 'unchanged' | 'skipped') => pages.reduce((n, p) => n + p.counts[k], 0);
      return { pages, created: sum('created'), updated: sum('updated'), unchanged: sum('unchanged'), skipped: sum('skipped') };
    }
    return { ats, provider, connector, source, run };
  }

  it('plans the declared streams in order, pages a window, and re-reads unchanged records without writing them', async () => {
    const { ats, provider, run } = await setUp();
    expect(provider.streams(Settings.parse({})).map((s) => s.name)).toEqual(['jobs', 'people']);
    ats.jobs = [1, 2, 3, 4, 5].map((n) => ({ id: `j${n}`, title: n === 5 ? '' : `Job ${n}`, updatedAt: n * 100 }));

    const first = await run('jobs');
    expect(first).toMatchObject({ created: 4, skipped: 1, unchanged: 0 });
    expect(first.pages.map((p) => p.requests)).toEqual([1, 1, 1]);
    expect(first.pages.at(-1)).toMatchObject({ next: undefined, maxSeen: 500, total: 5, skippedReasons: { 'no title': 1 } });
    // The provider comes from the context: every job is keyed on the connector's provider.
    expect((await store.jobs.list({ source: 'fake-ats', limit: 50 })).items.map((j) => j.externalId).sort()).toEqual([
      'j1',
      'j2',
      'j3',
      'j4',
    ]);

    const again = await run('jobs');
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5 });

    ats.jobs[1] = { ...ats.jobs[1], title: 'Job 2, renamed', updatedAt: 250 };
    expect(await run('jobs')).toMatchObject({ updated: 1, unchanged: 4 });
  });

  it('writes every record again when a setting its writes depend on changes', async () => {
    const { ats, run } = await setUp();
    ats.jobs = [{ id: 'h1', title: 'Hidden later', updatedAt: 100 }];
    expect(await run('jobs')).toMatchObject({ created: 1 });
    expect(await run('jobs', { hideJobs: true })).toMatchObject({ updated: 1, unchanged: 0 });
    expect((await store.jobs.list({ source: 'fake-ats', reference: 'h1', limit: 1 })).items[0]).toMatchObject({ hidden: true });
  });

  it('gives a stream that rescans when its rules change a digest of those settings in its plan, and only those', async () => {
    const { provider } = await setUp();
    const rulesOf = (s: Partial<Settings>) => Object.fromEntries(provider.streams(Settings.parse(s)).map((p) => [p.name, p.rules]));
    const plain = rulesOf({});
    expect(plain.jobs).toEqual(expect.any(String));
    expect(plain.people).toBeUndefined(); // people are not read again in full when their settings change
    expect(rulesOf({ pageSize: 5, importUnknown: false }).jobs).toBe(plain.jobs);
    expect(rulesOf({ hideJobs: true }).jobs).not.toBe(plain.jobs);
  });

  it('reports the live and pending board postings of jobs the provider ended, each time their page is read', async () => {
    const { ats, run } = await setUp();
    ats.jobs = [
      { id: 'e1', title: 'Ends', updatedAt: 1 },
      { id: 'e2', title: 'Stays', updatedAt: 2 },
    ];
    await run('jobs');
    const jobId = async (ref: string) => (await store.jobs.list({ source: 'fake-ats', reference: ref, limit: 1 })).items[0].id;
    const options = PostingOptions.parse({});
    const ending = (await store.postings.createOrGet({ jobId: await jobId('e1'), board: 'cv-library', account: 'generic', options }))
      .posting;
    await store.postings.createOrGet({ jobId: await jobId('e2'), board: 'cv-library', account: 'generic', options });
    expect((await run('jobs')).pages.flatMap((p) => p.postingsToUnpost ?? [])).toEqual([]);

    ats.jobs[0] = { ...ats.jobs[0], closed: true, updatedAt: 3 };
    const expected = [{ workflowId: ending.workflowId, reason: 'job closed in fake-ats' }];
    expect((await run('jobs')).pages.flatMap((p) => p.postingsToUnpost ?? [])).toEqual(expected);
    // Read again unchanged (a retry after the writes were done): still reported, until the posting has come down.
    expect((await run('jobs')).pages.flatMap((p) => p.postingsToUnpost ?? [])).toEqual(expected);
    await store.postings.markState(ending.id, 'unposted', { kind: 'unposted', key: 'unposted' });
    expect((await run('jobs')).pages.flatMap((p) => p.postingsToUnpost ?? [])).toEqual([]);
  });

  it('reports the board postings of jobs a sweep found gone once it has settled, and again on a retry of its settling', async () => {
    const { ats, connector, source, run } = await setUp();
    ats.jobs = [
      { id: 'g1', title: 'Goes', updatedAt: 1 },
      { id: 'g2', title: 'Stays', updatedAt: 2 },
    ];
    await run('jobs');
    const jobId = async (ref: string) => (await store.jobs.list({ source: 'fake-ats', reference: ref, limit: 1 })).items[0].id;
    const options = PostingOptions.parse({});
    const going = (await store.postings.createOrGet({ jobId: await jobId('g1'), board: 'cv-library', account: 'generic', options }))
      .posting;
    await store.postings.createOrGet({ jobId: await jobId('g2'), board: 'cv-library', account: 'generic', options });

    ats.jobs = ats.jobs.filter((j) => j.id !== 'g1');
    const swept = await run('jobs', undefined, { mode: 'sweep', until: 20_000 });
    const expected = [{ workflowId: going.workflowId, reason: 'job deleted in fake-ats' }];
    const settling = swept.pages.at(-1);
    expect(settling?.counts.deleted).toBe(1);
    expect(swept.pages.flatMap((p) => p.postingsToUnpost ?? [])).toEqual(expected);
    expect((await store.jobs.get(await jobId('g1')))?.deletedAt).toEqual(expect.any(String));

    // The settling page retried after its writes were done (a worker killed before it answered): nothing is left
    // unlisted, and the gone job's posting is still reported until it has come down.
    const position = { until: 20_000, backfill: true, mode: 'sweep' as const, settling: true };
    const retried = await source().page({ connectorId: connector.id, stream: 'jobs', position });
    expect(retried.counts.deleted).toBe(0);
    expect(retried.postingsToUnpost).toEqual(expected);
    await store.postings.markState(going.id, 'unposted', { kind: 'unposted', key: 'unposted' });
    expect((await source().page({ connectorId: connector.id, stream: 'jobs', position })).postingsToUnpost).toBeUndefined();
  });

  it('reads the window again from its first page when the provider no longer knows the page token', async () => {
    const { ats, run } = await setUp();
    ats.jobs = [1, 2, 3].map((n) => ({ id: `r${n}`, title: `Job ${n}`, updatedAt: n }));
    ats.forgotten.add('2');
    const resumed = await run('jobs', undefined, { page: '2', maxSeen: 2 });
    expect(resumed).toMatchObject({ created: 3 });
    expect(resumed.pages).toHaveLength(2);
    expect(resumed.pages[0].requests).toBe(2); // the refused token, then the first page
  });

  it('writes people with their applications (linked to the synced job) and CV, and skips unknown ones when told to', async () => {
    const { ats, run } = await setUp();
    ats.jobs = [{ id: 'pj', title: 'Applied to', updatedAt: 1 }];
    ats.people = [
      { id: 'p1', email: 'p1@example.com', updatedAt: 10, appliedTo: 'pj' },
      { id: 'p2', email: 'p2@example.com', updatedAt: 20, appliedTo: 'elsewhere' },
    ];
    await run('jobs');
    expect(await run('people')).toMatchObject({ created: 2 });
    const job = (await store.jobs.list({ source: 'fake-ats', reference: 'pj', limit: 1 })).items[0];
    const applications = await store.applications.list({ provider: 'fake-ats' });
    expect(applications.items.map((a) => [a.externalId, a.jobId, a.referrer]).sort()).toEqual([
      ['app-p1', job.id, 'fake board'],
      ['app-p2', undefined, 'fake board'],
    ]);
    expect(await store.documents.ofApplications(applications.items.map((a) => a.id))).toHaveLength(2);

    ats.people.push({ id: 'p3', email: 'p3@example.com', updatedAt: 30, appliedTo: 'pj' });
    // A new setting: everyone is looked at again; the known are unchanged, the unknown one is skipped (and ledgered).
    expect(await run('people', { importUnknown: false })).toMatchObject({ skipped: 1, unchanged: 2, updated: 0 });
    expect((await run('people', { importUnknown: false })).pages.flatMap((p) => Object.entries(p.skippedReasons))).toEqual([]);
  });

  it('tests the connection: a refused key stops the test, a missing permission is named', async () => {
    const { ats, source } = await setUp();
    expect(await source().test()).toEqual({
      ok: true,
      checks: [
        { name: 'key', ok: true },
        { name: 'people', ok: true },
      ],
      missing: [],
    });
    ats.refusals['read people'] = 403;
    expect(await source().test()).toMatchObject({ ok: false, missing: ['key lacks read people'] });
    ats.refusals['read jobs'] = 401;
    const refused = await source().test();
    expect(refused).toMatchObject({ ok: false, missing: ['the key is refused'] });
    expect(refused.checks.map((c) => c.name)).toEqual(['key']);
  });
});
