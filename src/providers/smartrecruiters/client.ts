import { ApplicationFailure } from '@temporalio/common';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { ProviderErrorType } from '../../domain/failures';
import { jsonBody, refusalOf } from '../errors';
import { ProviderHttp, type ProviderHttpOptions, parseAnswer } from '../http';
import type { OriginPolicy } from '../origins';
import type { EndpointLimits, TokenBucket } from '../rate-limit';
import { SrAttachments, SrCandidate, SrCandidatesPage, SrError, SrPosting, SrPostingsPage } from './schemas';
import { SMARTRECRUITERS_ORIGINS } from './settings';

/**
 * SmartRecruiters' endpoints as its limits count them: 10 requests/s per endpoint, 8 at once, and GET /candidates
 * (the list) one at a time per key. Each family below gets its own bucket and gate (src/providers/rate-limit.ts).
 */
export const ENDPOINT_FAMILIES: Array<{ family: string; path: RegExp; concurrency: number }> = [
  { family: 'postings', path: /^\/v1\/companies\/[^/]+\/postings$/, concurrency: 8 },
  { family: 'posting', path: /^\/v1\/companies\/[^/]+\/postings\/[^/]+$/, concurrency: 8 },
  { family: 'candidates', path: /^\/candidates$/, concurrency: 1 },
  { family: 'candidate', path: /^\/candidates\/[^/]+$/, concurrency: 8 },
  { family: 'attachments', path: /^\/candidates\/[^/]+\/attachments$/, concurrency: 8 },
  { family: 'attachment', path: /^\/candidates\/[^/]+\/attachments\/[^/]+$/, concurrency: 8 },
];

export interface SmartRecruitersClientOptions {
  /** The API host, e.g. https://api.smartrecruiters.com or <sandbox>/smartrecruiters. */
  baseUrl: string;
  companyIdentifier: string;
  /** `X-SmartToken`, sent on /candidates only; unset: the public Posting API alone. */
  apiKey?: string;
  /** Where requests may go: checked on every request and connection. */
  origins: OriginPolicy;
  /** The key's limits, per endpoint family (ENDPOINT_FAMILIES). */
  endpoints: EndpointLimits;
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onWait?: () => void;
  /** Told while a request is being tried again here (see ProviderHttp). */
  onRetrying?: ProviderHttpOptions['onRetrying'];
  timeoutMs?: number;
}

export interface CandidatesQuery {
  limit: number;
  pageId?: string;
  /** ISO 8601 bounds on updatedOn (names assumed; see ./README.md). */
  updatedAfter?: string;
  updatedBefore?: string;
}

/**
 * SmartRecruiters' public Posting API and its Candidates API, on the shared provider HTTP policy. A sync page makes
 * many requests, so each is retried here (6 tries by default) before the page fails to Temporal's retry.
 */
export class SmartRecruitersClient {
  private readonly http: ProviderHttp;
  private readonly company: string;

  constructor(private readonly options: SmartRecruitersClientOptions) {
    this.company = encodeURIComponent(options.companyIdentifier);
    this.http = new ProviderHttp({
      provider: 'SmartRecruiters',
      baseUrl: options.baseUrl,
      origins: options.origins,
      knownOrigins: SMARTRECRUITERS_ORIGINS,
      timeoutMs: options.timeoutMs ?? 60_000,
      headers: { accept: 'application/json', 'user-agent': 'jobrelay' },
      endpoints: { limits: options.endpoints, familyOf: (config) => familyOf(config, options.baseUrl) },
      onResponse: (response, family) => this.readRateHeaders(response, family),
      attempts: options.attempts ?? 6,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      onWait: options.onWait,
      onRetrying: options.onRetrying,
      describeError: describeSmartRecruitersError,
    });
  }

  get requests(): number {
    return this.http.requests;
  }

  get hasKey(): boolean {
    return this.options.apiKey !== undefined;
  }

  /** One page of the company's published postings (offset/limit, newest as SmartRecruiters orders them). */
  async postings(offset: number, limit: number) {
    const url = `/v1/companies/${this.company}/postings`;
    return this.companyCall(() => this.http.json('postings', { url, params: { offset, limit } }, SrPostingsPage));
  }

  /** A posting's details with its job ad; undefined when it is no longer published (404). */
  async posting(id: string) {
    const url = `/v1/companies/${this.company}/postings/${encodeURIComponent(id)}`;
    return this.unlessGone(() => this.http.json('posting', { url }, SrPosting));
  }

  /** One page of candidates (cursor `pageId`); the next cursor from `nextPageId` or the `Link: rel="next"` header. */
  async candidates(query: CandidatesQuery) {
    const res = await this.keyed(() => this.http.request({ url: '/candidates', params: query, headers: this.keyHeader() }));
    const page = parseAnswer('SmartRecruiters', 'candidates', SrCandidatesPage, res.data);
    return { ...page, next: page.nextPageId || nextFromLink(res.headers.link) };
  }

  /** A candidate's details; undefined when the candidate no longer exists (404). */
  async candidate(id: string) {
    return this.unlessGone(() =>
      this.keyed(() =>
        this.http.json('candidate', { url: `/candidates/${encodeURIComponent(id)}`, headers: this.keyHeader() }, SrCandidate),
      ),
    );
  }

  async attachments(candidateId: string) {
    const url = `/candidates/${encodeURIComponent(candidateId)}/attachments`;
    return this.keyed(() => this.http.json('attachments', { url, headers: this.keyHeader() }, SrAttachments));
  }

  /** An attachment's file. The key is only sent to the API's own host: other URLs are refused. */
  async download(url: string): Promise<{ content: Buffer; contentType: string }> {
    const res = await this.keyed(() =>
      this.http.request<ArrayBuffer>({
        url: this.http.sameOrigin(url),
        responseType: 'arraybuffer',
        baseURL: undefined,
        headers: this.keyHeader(),
      }),
    );
    return { content: Buffer.from(res.data), contentType: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0] };
  }

  private keyHeader(): Record<string, string> {
    if (!this.options.apiKey)
      throw ApplicationFailure.nonRetryable('SmartRecruiters: no API key: candidate data needs one', ProviderErrorType.Auth);
    return { 'x-smarttoken': this.options.apiKey };
  }

  /** A 404 on the company's postings means the identifier is wrong: said so, naming it (it is case-sensitive). */
  private async companyCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (refusalOf(err)?.status !== 404) throw err;
      throw ApplicationFailure.create({
        message: `SmartRecruiters knows no company "${this.options.companyIdentifier}": check the company identifier (it is case-sensitive)`,
        type: ProviderErrorType.Validation,
        nonRetryable: true,
        details: [{ status: 404 }],
      });
    }
  }

  /** A refused key is named as the key (not a permission of some other credential). */
  private async keyed<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const status = refusalOf(err)?.status;
      if (status !== 401 && status !== 403) throw err;
      const why = status === 401 ? 'is invalid or revoked' : 'lacks access to candidates';
      const said = (err as Error).message.replace(/^SmartRecruiters answered \d+: /, '');
      throw ApplicationFailure.create({
        message: `SmartRecruiters answered ${status}: the API key (X-SmartToken) ${why} ("${said}")`,
        type: ProviderErrorType.Auth,
        nonRetryable: true,
        details: [{ status }],
      });
    }
  }

  private async unlessGone<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (refusalOf(err)?.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * `X-RateLimit-Remaining: 0` on an answer: that endpoint's window is spent, so its bucket waits for the next
   * token before anyone on the key sends again (rather than meeting a 429).
   */
  private readRateHeaders(response: AxiosResponse, family: string | undefined): void {
    if (family === undefined) return;
    const remaining = Number(response.headers['x-ratelimit-remaining']);
    const limit = Number(response.headers['x-ratelimit-limit']);
    if (remaining === 0 && limit > 0) this.bucketOf(family).holdFor(Math.ceil(1000 / limit));
  }

  private bucketOf(family: string): TokenBucket {
    return this.options.endpoints.bucket(family);
  }
}

/** The endpoint family of a request, by its path below the API's base URL (ENDPOINT_FAMILIES). */
export function familyOf(config: AxiosRequestConfig, baseUrl: string): string {
  const base = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const url = new URL(config.url ?? '', 'http://relative');
  const path = url.host === 'relative' || !url.pathname.startsWith(`${base}/`) ? url.pathname : url.pathname.slice(base.length);
  const found = ENDPOINT_FAMILIES.find((f) => f.path.test(path));
  if (!found) throw new Error(`SmartRecruiters: no endpoint family for ${path}`);
  return found.family;
}

/** `Link: <https://…/candidates?limit=10&pageId=abc>; rel="next"` → `abc`. */
export function nextFromLink(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match) return new URL(match[1], 'http://x').searchParams.get('pageId') ?? undefined;
  }
  return undefined;
}

/** SmartRecruiters' error body (`{message, errors: [{code, message}]}`) as one line. */
export function describeSmartRecruitersError(body: unknown): string | undefined {
  const parsed = SrError.safeParse(jsonBody(body));
  if (!parsed.success) return undefined;
  const { message, errors } = parsed.data;
  const more = (errors ?? []).map((e) => e.message).filter((m): m is string => !!m && m !== message);
  const line = [message, ...more].filter(Boolean).join('; ');
  return line || undefined;
}
