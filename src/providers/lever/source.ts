import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { SeenRecord } from '../../store/connectors';
import { inOrder } from '../../sync/in-order';
import type { SourceContext, SyncSource } from '../../sync/provider';
import { emptyCounts, type PageRequest, type PageResult, type RecordCounts, type TestReport } from '../../sync/types';
import { ProviderErrorType } from '../errors';
import { LeverClient, type ListParams } from './client';
import { applicationStatus, candidateFields, decidePosting } from './mapping';
import { LeverApplication, LeverArchiveReason, LeverOpportunity, LeverPosting, LeverResume, LeverStage } from './schemas';
import type { LeverCredentials, LeverSettings } from './settings';

type Ctx = SourceContext<LeverSettings, LeverCredentials>;
type Outcome = keyof RecordCounts;

/** Resumes are fetched ahead for this many opportunities at once (the token bucket still paces every request). */
const RESUME_CONCURRENCY = 8;
const REASONS_TTL_MS = 60 * 60_000;
const INVALID_KEY = 'the API key is invalid or revoked';

/** The Lever connector's streams: `jobs` from /postings, `candidates` from /opportunities (+ applications, resumes). */
export function openLeverSource(ctx: Ctx): SyncSource {
  const { settings } = ctx;
  const client = new LeverClient({
    baseUrl: settings.baseUrl,
    apiKey: ctx.credentials.apiKey,
    limiter: ctx.limiter,
    onWait: () => ctx.heartbeat(),
  });
  const confidentiality = settings.includeConfidential ? 'all' : 'non-confidential';

  return {
    async page(request) {
      const started = client.requests;
      const result =
        request.stream === 'jobs'
          ? await jobsPage(ctx, client, request, confidentiality)
          : await candidatesPage(ctx, client, request, confidentiality);
      return { ...result, requests: client.requests - started };
    },
    test: () => testConnection(settings, client, confidentiality),
  };
}

function windowParams(request: PageRequest, pageSize: number): ListParams {
  const { since, until } = request.position;
  return { limit: pageSize, updated_at_start: since, updated_at_end: until };
}

/** A tally of one page, and the position after it. */
class Tally {
  counts = emptyCounts();
  skippedReasons: Record<string, number> = {};
  maxSeen: number | undefined;

  constructor(private readonly request: PageRequest) {
    this.maxSeen = request.position.maxSeen;
  }
  saw(updatedAt: number) {
    this.maxSeen = Math.max(this.maxSeen ?? updatedAt, updatedAt);
  }
  add(outcome: Outcome, reason?: string) {
    this.counts[outcome] += 1;
    if (reason) this.skippedReasons[reason] = (this.skippedReasons[reason] ?? 0) + 1;
  }
  result(page: { hasNext: boolean; next?: string | null }): Omit<PageResult, 'requests'> {
    const next = page.hasNext && page.next ? { ...this.request.position, page: page.next, maxSeen: this.maxSeen } : undefined;
    return { counts: this.counts, skippedReasons: this.skippedReasons, next, maxSeen: this.maxSeen };
  }
}

/** Lever's offset tokens may not survive (expiry, a changed query): start the run's window again; writes are upserts. */
async function listOrRestart<T>(request: PageRequest, fetch: (offset?: string) => Promise<T>): Promise<T> {
  try {
    return await fetch(request.position.page);
  } catch (err) {
    const invalidOffset =
      err instanceof ApplicationFailure && err.type === ProviderErrorType.Validation && /offset token/i.test(err.message);
    if (!invalidOffset || !request.position.page) throw err;
    return fetch(undefined);
  }
}

async function jobsPage(ctx: Ctx, client: LeverClient, request: PageRequest, confidentiality: string) {
  const { settings, store, connectorId } = ctx;
  const params = { ...windowParams(request, settings.pageSize), include: 'content', expand: ['owner'], confidentiality };
  const page = await listOrRestart(request, (offset) => client.list('/postings', LeverPosting, params, offset));
  const fingerprint = hashOf({
    v: 1,
    s: settings.postingState,
    c: settings.distributionChannel,
    r: settings.remote,
    h: settings.hiddenJobs,
  });
  const seen = await store.connectors.seen(
    connectorId,
    'jobs',
    page.data.map((p) => p.id),
  );
  const tally = new Tally(request);
  const ledger: SeenRecord[] = [];
  for (const posting of page.data) {
    tally.saw(posting.updatedAt);
    const before = seen.get(posting.id);
    if (before && before.sourceUpdatedAt === posting.updatedAt && before.fingerprint === fingerprint) {
      tally.add('unchanged');
      continue;
    }
    const decision = decidePosting(posting, settings);
    if (decision.action === 'import') {
      tally.add((await store.jobs.upsertFromSource(decision.job)).outcome);
    } else if (decision.action === 'unpublish') {
      const outcome = await store.jobs.unpublishFromSource('lever', posting.id, decision.state);
      if (outcome === 'missing') tally.add('skipped', decision.reason);
      else tally.add(outcome);
    } else tally.add('skipped', decision.reason);
    ledger.push({ externalId: posting.id, sourceUpdatedAt: posting.updatedAt, fingerprint });
    ctx.heartbeat();
  }
  // The ledger last, in one statement: a page cut short (crash, failure) is written again in full by its retry.
  await store.connectors.markSeen(connectorId, 'jobs', ledger);
  return tally.result(page);
}

async function candidatesPage(ctx: Ctx, client: LeverClient, request: PageRequest, confidentiality: string) {
  const { settings, store, connectorId } = ctx;
  const params = { ...windowParams(request, settings.pageSize), expand: ['applications', 'stage'], confidentiality };
  const page = await listOrRestart(request, (offset) => client.list('/opportunities', LeverOpportunity, params, offset));
  const fingerprint = hashOf({ v: 1, u: settings.importUnknownCandidates, r: settings.syncResumes });
  const seen = await store.connectors.seen(
    connectorId,
    'candidates',
    page.data.map((o) => o.id),
  );
  const tally = new Tally(request);
  const todo: LeverOpportunity[] = [];
  for (const o of page.data) {
    tally.saw(o.updatedAt);
    const before = seen.get(o.id);
    if (before && before.sourceUpdatedAt === o.updatedAt && before.fingerprint === fingerprint) tally.add('unchanged');
    else todo.push(o);
  }
  const reasons = todo.some((o) => o.archived) ? await archiveReasons(ctx, client) : new Map();
  const jobIds = new Map<string, string | undefined>();
  const ledger: SeenRecord[] = [];
  // Resumes are fetched ahead, several at once under the rate limit, while the writes go one opportunity at a time.
  const fetchResume = (o: LeverOpportunity) => (settings.syncResumes ? latestResume(client, o.id) : Promise.resolve(undefined));
  await inOrder(todo, RESUME_CONCURRENCY, fetchResume, async (o, resume) => {
    const outcome = await writeOpportunity(ctx, o, resume, reasons, jobIds);
    tally.add(outcome, outcome === 'skipped' ? 'unknown candidate' : undefined);
    ledger.push({ externalId: o.id, sourceUpdatedAt: o.updatedAt, fingerprint });
    ctx.heartbeat();
  });
  await store.connectors.markSeen(connectorId, 'candidates', ledger);
  return tally.result(page);
}

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

/** One person: the candidate (merged, never blanked), their applications, and the resume as a document. */
async function writeOpportunity(
  ctx: Ctx,
  o: LeverOpportunity,
  fetched: FetchedResume | undefined,
  reasons: Map<string, LeverArchiveReason>,
  jobIds: Map<string, string | undefined>,
): Promise<Outcome> {
  const { store, settings } = ctx;
  const referrer = o.sources[0] ?? o.origin ?? undefined;
  const candidate = await store.candidates.upsertFromSource({
    source: { provider: 'lever', externalId: o.contact, referrer },
    fields: candidateFields(o, fetched?.resume),
    matchBy: ['email'],
    createIfUnknown: settings.importUnknownCandidates,
  });
  if (!candidate.candidateId || candidate.outcome === 'skipped') return 'skipped';
  let changed = candidate.outcome !== 'unchanged';
  const status = applicationStatus(o, reasons);
  let applicationId: string | undefined;
  for (const app of o.applications) {
    if (typeof app === 'string') continue;
    const a = LeverApplication.parse(app);
    if (a.posting && !jobIds.has(a.posting)) jobIds.set(a.posting, await store.jobs.idBySource('lever', a.posting));
    const written = await store.candidates.upsertApplication({
      candidateId: candidate.candidateId,
      provider: 'lever',
      externalId: a.id,
      jobId: a.posting ? jobIds.get(a.posting) : undefined,
      status: status.status,
      providerStatus: status.providerStatus,
      referrer,
      appliedAt: new Date(a.createdAt ?? o.createdAt ?? o.updatedAt).toISOString(),
    });
    applicationId ??= written.application.id;
    changed ||= written.outcome !== 'unchanged';
  }
  if (fetched?.file && fetched.resume.file) {
    const doc = await store.candidates.putDocument({
      candidateId: candidate.candidateId,
      applicationId,
      kind: 'cv',
      filename: fetched.resume.file.name,
      contentType: fetched.file.contentType,
      content: fetched.file.content,
    });
    changed ||= doc.created;
  }
  return candidate.outcome === 'created' ? 'created' : changed ? 'updated' : 'unchanged';
}

async function archiveReasons(ctx: Ctx, client: LeverClient): Promise<Map<string, LeverArchiveReason>> {
  const cached = ctx.cache.get('archiveReasons') as { at: number; reasons: Map<string, LeverArchiveReason> } | undefined;
  if (cached && Date.now() - cached.at < REASONS_TTL_MS) return cached.reasons;
  const reasons = new Map((await client.all('/archive_reasons', LeverArchiveReason)).map((r) => [r.id, r]));
  ctx.cache.set('archiveReasons', { at: Date.now(), reasons });
  return reasons;
}

/** Tries each endpoint the connector needs, with the smallest request, and names the permission that fails. */
async function testConnection(settings: LeverSettings, client: LeverClient, confidentiality: string): Promise<TestReport> {
  const checks: TestReport['checks'] = [];
  const missing: string[] = [];
  const check = async <T>(name: string, permission: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      const value = await call();
      checks.push({ name, ok: true });
      return value;
    } catch (err) {
      const failure = err instanceof ApplicationFailure ? err : undefined;
      const status = (failure?.details?.[0] as { status?: number } | undefined)?.status;
      checks.push({ name, ok: false, detail: failure?.message ?? (err as Error).message });
      if (status === 401) missing.push(INVALID_KEY);
      else if (status === 403)
        missing.push(`key lacks ${/confidential/i.test(failure?.message ?? '') ? 'access to confidential data' : permission}`);
      return undefined;
    }
  };
  const auth = await check('API key', 'list postings', () => client.list('/postings', LeverPosting, { limit: 1 }));
  if (!auth && missing.includes(INVALID_KEY)) return { ok: false, checks, missing };
  await check('list opportunities', 'list opportunities', () =>
    client.list('/opportunities', LeverOpportunity, { limit: 1, expand: ['applications'] }),
  );
  await check('list stages', 'list stages', () => client.list('/stages', LeverStage, { limit: 1 }));
  await check('list archive reasons', 'list archive reasons', () => client.list('/archive_reasons', LeverArchiveReason, { limit: 1 }));
  if (confidentiality === 'all')
    await check('confidential data', 'access to confidential data', () =>
      client.list('/postings', LeverPosting, { limit: 1, confidentiality }),
    );
  if (settings.syncResumes) {
    const first = await client.list('/opportunities', LeverOpportunity, { limit: 1 }).catch(() => undefined);
    const opportunity = first?.data[0];
    if (opportunity) {
      const resumes = await check('list opportunity resumes', 'list opportunity resumes', () =>
        client.list(`/opportunities/${opportunity.id}/resumes`, LeverResume, { limit: 1 }),
      );
      const resume = resumes?.data[0];
      if (resume?.file?.downloadUrl) {
        await check('download opportunity resume', 'download opportunity resume', () =>
          client.download(resume.file?.downloadUrl as string),
        );
      }
    } else checks.push({ name: 'resumes', ok: true, detail: 'no opportunity yet to try the resume permissions on' });
  }
  return { ok: missing.length === 0, checks, missing };
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
