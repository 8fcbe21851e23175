import { ApplicationFailure } from '@temporalio/common';
import { ProviderErrorType } from '../../domain/failures';
import { parseResumeSections } from '../../resumes/sections';
import { resumeText } from '../../resumes/text';
import type { ConnectionTest } from '../../sync/connection-test';
import { defineConnector, defineStream, type StreamContext } from '../../sync/connector';
import { inOrder } from '../../sync/in-order';
import type { RecordOutcome } from '../../sync/tally';
import { EndpointLimits } from '../rate-limit';
import { ENDPOINT_FAMILIES, SmartRecruitersClient } from './client';
import { attachmentKind, decidePosting, type PersonInput, personOf, refsOf } from './mapping';
import type { SrAttachment, SrCandidateItem, SrPostingItem } from './schemas';
import { SmartRecruitersCredentials, SmartRecruitersSettings } from './settings';

// The SmartRecruiters connector on the shared sync engine (src/sync/connector.ts): `jobs` from the public Posting
// API (a complete listing each run: it has no change filter, and a posting that leaves it is unpublished), and
// `candidates` from the Candidates API with the key. See ./README.md for what each rule assumes.

type Ctx = StreamContext<SmartRecruitersSettings, SmartRecruitersClient>;

const MINUTE = 60_000;
/** Details, attachments and files are fetched ahead for this many records (each endpoint's gate and bucket still apply). */
const AHEAD = 8;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const dateOf = (d: string | undefined) => (d === undefined ? undefined : Date.parse(d));

const jobs = defineStream<SrPostingItem, SmartRecruitersSettings, SmartRecruitersClient>({
  // A backfill on the first run, so its progress shows; the Posting API itself has no date filter.
  schedule: (s) => ({ intervalMs: s.jobsIntervalMinutes * MINUTE, startAt: dateOf(s.jobsStartDate) ?? 0, overlapMs: 0 }),
  async fetch(ctx, _window, page) {
    const offset = page ? Number(page) : 0;
    const answer = await ctx.client.postings(offset, ctx.settings.pageSize);
    const after = offset + answer.content.length;
    const more = answer.content.length > 0 && after < (answer.totalFound ?? 0);
    return { records: answer.content, next: more ? String(after) : undefined, total: answer.totalFound };
  },
  // No update time in the list: a posting is read again (its details) when its list item changed, and — as the list
  // does not show the job ad, whose edits the careers pages must follow — each at least every `jobAdsRefreshMinutes`.
  identify: (p) => ({ id: p.id }),
  rereadEvery: (s) => s.jobAdsRefreshMinutes * MINUTE,
  fingerprint: (s) => ({ v: 2, h: s.hiddenJobs, d: s.jobsStartDate }),
  listsEverything: true,
  // The list does not show the job ad: a sweep reads every posting's details, and the store tells what changed.
  sweep: 'rewrite',
  async write(postings, ctx, done) {
    await inOrder(
      postings,
      AHEAD,
      (p) => ctx.client.posting(p.id),
      async (p, details) => {
        const decision = details
          ? decidePosting(details, ctx.settings)
          : ({ action: 'unpublish', state: 'closed', reason: 'no longer published' } as const);
        done(p, await ctx.writer.job(p.id, decision));
      },
    );
  },
  confirmGone: (ctx, ids) => goneOf(ids, (id) => ctx.client.posting(id)),
});

const candidates = defineStream<SrCandidateItem, SmartRecruitersSettings, SmartRecruitersClient>({
  schedule: (s) => ({
    intervalMs: s.candidatesIntervalMinutes * MINUTE,
    startAt: dateOf(s.candidatesStartDate),
    overlapMs: s.cursorOverlapSeconds * 1000,
  }),
  async fetch(ctx, window, page) {
    const answer = await ctx.client.candidates({
      limit: ctx.settings.pageSize,
      pageId: page,
      updatedAfter: iso(window.since),
      updatedBefore: iso(window.until),
    });
    return { records: answer.content, next: answer.next || undefined, total: answer.totalFound };
  },
  identify: (c) => ({ id: c.id, updatedAt: Date.parse(c.updatedOn) }),
  fingerprint: (s) => ({ v: 2, u: s.importUnknownCandidates, r: s.syncResumes, p: s.parseResumes, d: s.syncDocuments }),
  isStalePage: (err) => err instanceof ApplicationFailure && err.type === ProviderErrorType.Validation && /page ?id/i.test(err.message),
  async write(items, ctx, done) {
    await inOrder(
      items,
      AHEAD,
      (item) => readPerson(ctx, item),
      async (item, read) => done(item, await writePerson(ctx, item, read)),
    );
  },
  confirmGone: (ctx, ids) => goneOf(ids, (id) => ctx.client.candidate(id)),
});

interface ReadPerson {
  input?: PersonInput;
  notes: string[];
}

/**
 * A candidate's details and, as the settings ask, their documents (every attachment but the résumé and photos) and
 * their résumé (downloaded, and read when there is no history).
 */
async function readPerson(ctx: Ctx, item: SrCandidateItem): Promise<ReadPerson> {
  const { client, settings } = ctx;
  const details = await client.candidate(item.id);
  if (!details) return { notes: [] };
  const hasHistory = !!(details.education?.length || details.experience?.length);
  const wantParse = settings.parseResumes && !hasHistory;
  if (!settings.syncResumes && !wantParse && !settings.syncDocuments) return { input: { item, details }, notes: [] };
  const attachments = (await client.attachments(item.id)).content;
  const documents = settings.syncDocuments ? await downloadDocuments(ctx, item.id, attachments) : undefined;
  if (!settings.syncResumes && !wantParse) return { input: { item, details, documents }, notes: [] };
  const resume = latestResume(attachments);
  const url = resume && downloadUrl(item.id, resume);
  if (!resume || !url) return { input: { item, details, documents }, notes: wantParse ? ['résumé: none to parse'] : [] };
  const file = await client.download(url);
  const cv = { filename: resume.name, contentType: resume.contentType ?? file.contentType, content: file.content };
  const notes: string[] = [];
  let parsed: PersonInput['parsed'];
  if (wantParse) {
    const text = await resumeText(cv);
    if ('problem' in text) notes.push(text.problem);
    else {
      const sections = parseResumeSections(text.text);
      notes.push(...sections.problems);
      parsed = { education: sections.education, experience: sections.experience };
    }
  }
  return { input: { item, details, parsed, cv: settings.syncResumes ? cv : undefined, documents }, notes };
}

/** Kinds of attachment that are not documents of the candidate's application: the résumé (its own setting) and photos. */
const NOT_DOCUMENTS = new Set(['RESUME', 'AVATAR']);

async function downloadDocuments(ctx: Ctx, candidateId: string, attachments: SrAttachment[]): Promise<PersonInput['documents']> {
  const documents: NonNullable<PersonInput['documents']> = [];
  for (const a of attachments) {
    const kind = a.type?.toUpperCase() ?? 'OTHER';
    if (NOT_DOCUMENTS.has(kind)) continue;
    const file = await ctx.client.download(downloadUrl(candidateId, a));
    documents.push({ kind: attachmentKind(kind), filename: a.name, contentType: a.contentType ?? file.contentType, content: file.content });
  }
  return documents.length ? documents : undefined;
}

const downloadUrl = (candidateId: string, a: SrAttachment) => a.actions?.download?.url ?? `/candidates/${candidateId}/attachments/${a.id}`;

async function writePerson(ctx: Ctx, item: SrCandidateItem, read: ReadPerson): Promise<RecordOutcome> {
  if (!read.input) {
    // Gone between the list and its details: what we hold of them is marked deleted now.
    const wrote = refsOf(item);
    await ctx.writer.gone(wrote);
    return { outcome: 'deleted', wrote };
  }
  const outcome = await ctx.writer.person(personOf(read.input, ctx.settings));
  return read.notes.length ? { ...outcome, notes: [...new Set(read.notes)] } : outcome;
}

/** The newest RESUME attachment (SmartRecruiters lists a candidate's files, a type each). */
function latestResume(attachments: SrAttachment[]): SrAttachment | undefined {
  const resumes = attachments.filter((a) => a.type?.toUpperCase() === 'RESUME');
  return resumes.at(-1);
}

/** Of these ids, those whose own URL answers 404 (the client returns undefined). */
async function goneOf(ids: string[], read: (id: string) => Promise<unknown>): Promise<string[]> {
  const gone: string[] = [];
  await inOrder(ids, AHEAD, read, async (id, found) => {
    if (found === undefined) gone.push(id);
  });
  return gone;
}

/** Tries the Posting API for the company, then the key on the Candidates API; names what is wrong. */
async function testConnection(t: ConnectionTest, { client, settings }: Ctx): Promise<void> {
  const company = `company identifier "${settings.companyIdentifier}" not found (it is case-sensitive)`;
  await t.check('company identifier', 'the company identifier', () => client.postings(0, 1), company);
  if (!client.hasKey) return t.skip('candidates', 'no API key: candidates are off');
  const page = await t.check('API key', 'access to candidates', () => client.candidates({ limit: 1 }));
  if (t.credentialsRefused || (!settings.syncResumes && !settings.syncDocuments)) return;
  const first = page?.content[0];
  if (!first) return t.skip('attachments', 'no candidate yet to try the attachments on');
  await t.check('candidate attachments', 'access to candidate attachments', () => client.attachments(first.id));
}

function endpointLimits(s: SmartRecruitersSettings) {
  return Object.fromEntries(ENDPOINT_FAMILIES.map((f) => [f.family, { ...s.rateLimit, concurrency: f.concurrency }]));
}

/** SmartRecruiters as a sync provider: its settings, per-endpoint limits and the two streams. */
export const smartRecruitersSync = defineConnector({
  settings: SmartRecruitersSettings,
  credentials: SmartRecruitersCredentials,
  rateLimit: (s) => s.rateLimit,
  endpointLimits,
  maskCredentials: (c): Record<string, string> => (c.apiKey ? { apiKey: `••••${c.apiKey.slice(-4)}` } : {}),
  connect: (ctx) =>
    new SmartRecruitersClient({
      baseUrl: ctx.settings.baseUrl,
      companyIdentifier: ctx.settings.companyIdentifier,
      apiKey: ctx.credentials.apiKey,
      origins: ctx.origins,
      endpoints: ctx.endpoints ?? new EndpointLimits(endpointLimits(ctx.settings)),
      onWait: () => ctx.heartbeat(),
      onRetrying: ctx.retrying,
    }),
  streams: { jobs, candidates },
  streamsOff: (_s, c) => ({ candidates: c.apiKey ? undefined : 'no API key: candidates are off (jobs need none)' }),
  credentialWords: {
    rejected: 'the API key (X-SmartToken) is invalid or revoked',
    lacks: (permission) => `the API key lacks ${permission}`,
  },
  test: testConnection,
});
