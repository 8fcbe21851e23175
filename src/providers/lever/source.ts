import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ProviderErrorType } from '../../domain/failures';
import type { ConnectionTest } from '../../sync/connection-test';
import { defineConnector, defineStream, type RunWindow, type StreamContext } from '../../sync/connector';
import { inOrder } from '../../sync/in-order';
import { LeverClient, type ListParams } from './client';
import { decidePosting, personOf } from './mapping';
import { LeverArchiveReason, LeverOpportunity, LeverPosting, LeverResume, LeverStage } from './schemas';
import { LeverCredentials, LeverSettings } from './settings';

// The Lever connector: `jobs` from /postings, `candidates` from /opportunities (+ applications, resumes), on the
// shared sync engine (src/sync/connector.ts). See ./README.md for what each rule assumes of Lever.

type Ctx = StreamContext<LeverSettings, LeverClient>;

const MINUTE = 60_000;
/** Resumes are fetched ahead for this many opportunities at once (the token bucket still paces every request). */
const RESUME_CONCURRENCY = 8;
const REASONS_TTL_MS = 60 * 60_000;

const confidentiality = (s: LeverSettings) => (s.includeConfidential ? 'all' : 'non-confidential');

const schedule = (s: LeverSettings, intervalMinutes: number, startDate: string | undefined, withoutStartAt: 'changes' | 'everything') => ({
  intervalMs: intervalMinutes * MINUTE,
  startAt: startDate === undefined ? undefined : Date.parse(startDate),
  withoutStartAt,
  overlapMs: s.cursorOverlapSeconds * 1000,
});

/** A window of one list endpoint, a page of `pageSize` from Lever's offset token. */
async function listPage<T extends z.ZodType>(
  ctx: Ctx,
  path: string,
  item: T,
  window: RunWindow,
  page: string | undefined,
  params: ListParams,
) {
  const query = { limit: ctx.settings.pageSize, updated_at_start: window.since, updated_at_end: window.until, ...params };
  const answer = await ctx.client.list(path, item, { ...query, confidentiality: confidentiality(ctx.settings) }, page);
  return { records: answer.data, next: answer.hasNext && answer.next ? answer.next : undefined };
}

/** Lever refuses an offset token it no longer knows (expired, or bound to another query). */
const isInvalidOffset = (err: unknown) =>
  err instanceof ApplicationFailure && err.type === ProviderErrorType.Validation && /offset token/i.test(err.message);

// A careers site needs every posting open now: without a start date the jobs stream reads them all first. The list is
// small, so a change of the rules that classify postings (state, channel, remote regexes, hidden criteria) reads it again.
const jobs = defineStream<LeverPosting, LeverSettings, LeverClient>({
  schedule: (s) => schedule(s, s.jobsIntervalMinutes, s.jobsStartDate, 'everything'),
  fetch: (ctx, window, page) => listPage(ctx, '/postings', LeverPosting, window, page, { include: 'content', expand: ['owner'] }),
  identify: (p) => ({ id: p.id, updatedAt: p.updatedAt }),
  fingerprint: (s) => ({ v: 1, s: s.postingState, c: s.distributionChannel, r: s.remote, h: s.hiddenJobs }),
  rescanWhenRulesChange: true,
  isStalePage: isInvalidOffset,
  async write(postings, ctx, done) {
    for (const posting of postings) done(posting, await ctx.writer.job(posting.id, decidePosting(posting, ctx.settings)));
  },
});

const candidates = defineStream<LeverOpportunity, LeverSettings, LeverClient>({
  schedule: (s) => schedule(s, s.candidatesIntervalMinutes, s.candidatesStartDate, 'changes'),
  fetch: (ctx, window, page) => listPage(ctx, '/opportunities', LeverOpportunity, window, page, { expand: ['applications', 'stage'] }),
  identify: (o) => ({ id: o.id, updatedAt: o.updatedAt }),
  fingerprint: (s) => ({ v: 1, u: s.importUnknownCandidates, r: s.syncResumes }),
  isStalePage: isInvalidOffset,
  async write(opportunities, ctx, done) {
    const reasons = opportunities.some((o) => o.archived) ? await archiveReasons(ctx) : new Map<string, LeverArchiveReason>();
    if (!ctx.settings.syncResumes) {
      // Nothing more to fetch: the page is written at once.
      const outcomes = await ctx.writer.writePeople(opportunities.map((o) => personOf(o, undefined, reasons, ctx.settings)));
      for (const [i, o] of opportunities.entries()) done(o, outcomes[i]);
      return;
    }
    // Resumes are fetched ahead, several at once under the rate limit, while the writes go one opportunity at a time.
    await inOrder(
      opportunities,
      RESUME_CONCURRENCY,
      (o) => latestResume(ctx.client, o.id),
      async (o, resume) => {
        done(o, await ctx.writer.person(personOf(o, resume, reasons, ctx.settings)));
      },
    );
  },
});

interface FetchedResume {
  resume: LeverResume;
  file?: { content: Buffer; contentType: string };
}

async function latestResume(client: LeverClient, opportunityId: string): Promise<FetchedResume | undefined> {
  const list = await client.list(`/opportunities/${opportunityId}/resumes`, LeverResume, { limit: 100 });
  const resume = [...list.data].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
  if (!resume) return undefined;
  const url = resume.file?.downloadUrl ?? `opportunities/${opportunityId}/resumes/${resume.id}/download`;
  return { resume, file: resume.file ? await client.download(url) : undefined };
}

async function archiveReasons(ctx: Ctx): Promise<Map<string, LeverArchiveReason>> {
  const cached = ctx.cache.get('archiveReasons') as { at: number; reasons: Map<string, LeverArchiveReason> } | undefined;
  if (cached && Date.now() - cached.at < REASONS_TTL_MS) return cached.reasons;
  const reasons = new Map((await ctx.client.all('/archive_reasons', LeverArchiveReason)).map((r) => [r.id, r]));
  ctx.cache.set('archiveReasons', { at: Date.now(), reasons });
  return reasons;
}

/** Tries each endpoint the connector needs, with the smallest request, and names the permission that fails. */
async function testConnection(t: ConnectionTest, { client, settings }: Ctx): Promise<void> {
  await t.check('API key', 'list postings', () => client.list('/postings', LeverPosting, { limit: 1 }));
  if (t.credentialsRefused) return;
  await t.check('list opportunities', 'list opportunities', () =>
    client.list('/opportunities', LeverOpportunity, { limit: 1, expand: ['applications'] }),
  );
  await t.check('list stages', 'list stages', () => client.list('/stages', LeverStage, { limit: 1 }));
  await t.check('list archive reasons', 'list archive reasons', () => client.list('/archive_reasons', LeverArchiveReason, { limit: 1 }));
  if (confidentiality(settings) === 'all')
    await t.check('confidential data', 'access to confidential data', () =>
      client.list('/postings', LeverPosting, { limit: 1, confidentiality: 'all' }),
    );
  if (!settings.syncResumes) return;
  const first = await client.list('/opportunities', LeverOpportunity, { limit: 1 }).catch(() => undefined);
  const opportunity = first?.data[0];
  if (!opportunity) return t.skip('resumes', 'no opportunity yet to try the resume permissions on');
  const resumes = await t.check('list opportunity resumes', 'list opportunity resumes', () =>
    client.list(`/opportunities/${opportunity.id}/resumes`, LeverResume, { limit: 1 }),
  );
  const downloadUrl = resumes?.data[0]?.file?.downloadUrl;
  if (downloadUrl) await t.check('download opportunity resume', 'download opportunity resume', () => client.download(downloadUrl));
}

/** Lever as a sync provider: its settings, rate limit and the two streams. */
export const leverSync = defineConnector({
  settings: LeverSettings,
  credentials: LeverCredentials,
  rateLimit: (s) => s.rateLimit,
  maskCredentials: (c) => ({ apiKey: `••••${c.apiKey.slice(-4)}` }),
  connect: (ctx) =>
    new LeverClient({
      baseUrl: ctx.settings.baseUrl,
      apiKey: ctx.credentials.apiKey,
      origins: ctx.origins,
      limiter: ctx.limiter,
      onWait: () => ctx.heartbeat(),
      onRetrying: ctx.retrying,
    }),
  streams: { jobs, candidates },
  credentialWords: {
    rejected: 'the API key is invalid or revoked',
    lacks: (permission, message) => `key lacks ${/confidential/i.test(message) ? 'access to confidential data' : permission}`,
  },
  test: testConnection,
});
