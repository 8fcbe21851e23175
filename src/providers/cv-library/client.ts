import { type AxiosRequestConfig, isAxiosError } from 'axios';
import type { z } from 'zod';
import { refusalOf } from '../errors';
import { ProviderHttp, parseAnswer, type Send } from '../http';
import type { OriginPolicy } from '../origins';
import { sharedLimiter } from '../rate-limit';
import {
  CvLibraryConflict,
  type CvLibraryJob,
  CvLibraryJobAnswer,
  CvLibraryJobList,
  CvLibraryPublishedAnswer,
  CvLibraryToken,
  type JOB_STATUSES,
} from './schemas';
import { type CvLibraryCredentials, isClientCredentials } from './settings';

// Everything below about paths, auth and answers is the assumed contract (shared/providers/cv-library.md),
// modelled on Resume-Library's public API; the partner documentation replaces it here and in sandbox.ts.
export const DEFAULT_BASE_URL = 'https://api.cv-library.co.uk';
/** CV-Library's API origins (assumed: the partner documentation names the real ones). */
export const CV_LIBRARY_ORIGINS = [DEFAULT_BASE_URL] as const;
const PROVIDER = 'CV-Library';
/** A cached token is renewed this long before CV-Library says it expires. */
const TOKEN_MARGIN_MS = 60_000;
/**
 * Requests per account are paced under CV-Library's limit (assumed: 10 a second, bursts of 20): the full rate, and
 * half the burst so timing jitter between our bucket and the board's does not meet a 429.
 */
const ACCOUNT_RATE = { perSecond: 10, burst: 10 };

export interface CvLibraryClientOptions {
  baseUrl?: string;
  credentials: CvLibraryCredentials;
  /** Sent with every job call: the poster on the account the job is posted under. */
  posterEmail: string;
  /** Where the credentials may go: checked on every request and connection. */
  origins: OriginPolicy;
  timeoutMs?: number;
}

export interface Published {
  jobId: string;
  /** Where the role can be viewed on CV-Library. */
  url: string;
  expiresAt: string;
}

export interface CvLibraryJobStatus extends Published {
  reference: string;
  status: (typeof JOB_STATUSES)[number];
}

export interface CvLibraryClient {
  createJob(job: CvLibraryJob): Promise<Published>;
  updateJob(jobId: string, job: CvLibraryJob): Promise<Published>;
  deleteJob(jobId: string): Promise<'deleted' | 'already-gone'>;
  getJob(jobId: string): Promise<CvLibraryJobStatus | undefined>;
  /** The account's live jobs. */
  listLiveJobs(): Promise<CvLibraryJobStatus[]>;
  /** Succeeds when the credentials and the poster email are accepted. */
  testConnection(): Promise<void>;
}

/**
 * The CV-Library posting API, on the shared provider HTTP policy (src/providers/http.ts) with one try per request:
 * each activity makes one call, so Temporal's retry policy is the retry (a 429's Retry-After included). Every
 * failure is an ApplicationFailure from `toProviderFailure`; credentials never appear in one.
 */
export function createCvLibraryClient(options: CvLibraryClientOptions): CvLibraryClient {
  const { credentials, posterEmail } = options;
  const http = new ProviderHttp({
    provider: PROVIDER,
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    origins: options.origins,
    knownOrigins: CV_LIBRARY_ORIGINS,
    timeoutMs: options.timeoutMs ?? 15_000,
    headers: { Accept: 'application/json' },
    // Every activity posting with this account shares its bucket.
    limiter: sharedLimiter(`cv-library:${options.baseUrl ?? DEFAULT_BASE_URL}:${accountOf(credentials)}`, ACCOUNT_RATE),
    authorize: isClientCredentials(credentials)
      ? (send) => bearerAuth(send, credentials.clientId, credentials.clientSecret)
      : (send) => (config) => send({ ...config, auth: { username: credentials.username, password: credentials.password } }),
  });

  const publish = (what: string, url: string, job: CvLibraryJob) =>
    http.json(what, { method: 'POST', url, data: { ...job, poster_email: posterEmail } }, CvLibraryPublishedAnswer).then(toPublished);
  const jobPath = (jobId: string) => encodeURIComponent(jobId);
  const withPoster = { poster_email: posterEmail };

  const client: CvLibraryClient = {
    async createJob(job) {
      try {
        return await publish('create', '/v2/job/create', job);
      } catch (err) {
        const existing = await liveJobHoldingReference(err);
        if (existing) return existing;
        throw err;
      }
    },

    updateJob: (jobId, job) => publish('update', `/v2/job/update/${jobPath(jobId)}`, job),

    async deleteJob(jobId) {
      try {
        await http.request({ method: 'DELETE', url: `/v2/job/delete/${jobPath(jobId)}`, params: withPoster });
        return 'deleted';
      } catch (err) {
        if (refusalOf(err)?.status === 404) return 'already-gone';
        throw err;
      }
    },

    async getJob(jobId) {
      try {
        return toStatus(
          await http.json('job', { method: 'GET', url: `/v2/job/${jobPath(jobId)}`, params: withPoster }, CvLibraryJobAnswer),
        );
      } catch (err) {
        if (refusalOf(err)?.status === 404) return undefined;
        throw err;
      }
    },

    async listLiveJobs() {
      const list = await http.json('job list', { method: 'GET', url: '/v2/jobs', params: withPoster }, CvLibraryJobList);
      return list.jobs.map(toStatus);
    },

    async testConnection() {
      await client.listLiveJobs();
    },
  };

  /**
   * A create answered 409 means the reference is already live, e.g. our earlier attempt succeeded but
   * its answer was lost. The 409 body carries the live job's `job_id` (assumed contract): that job is ours.
   */
  async function liveJobHoldingReference(err: unknown): Promise<Published | undefined> {
    const refused = refusalOf(err);
    if (refused?.status !== 409) return undefined;
    const conflict = CvLibraryConflict.safeParse(refused.body);
    if (!conflict.success || !conflict.data.job_id) return undefined;
    const existing = await client.getJob(conflict.data.job_id);
    return existing?.status === 'live' ? { jobId: existing.jobId, url: existing.url, expiresAt: existing.expiresAt } : undefined;
  }

  return client;
}

/** OAuth2 client credentials: one token at a time, renewed shortly before expiry, fetched once more after a 401. */
function bearerAuth(send: Send, clientId: string, clientSecret: string): Send {
  let cached: { token: Promise<string>; expiresAt: number } | undefined;

  function fetchToken(): Promise<string> {
    const token = send({
      method: 'POST',
      url: '/oauth/token',
      data: new URLSearchParams({ grant_type: 'client_credentials' }),
      auth: { username: clientId, password: clientSecret },
    }).then((res) => {
      const answer = parseAnswer(PROVIDER, 'token', CvLibraryToken, res.data);
      if (cached?.token === token)
        cached.expiresAt = Date.now() + answer.expires_in * 1000 - Math.min(TOKEN_MARGIN_MS, answer.expires_in * 100);
      return answer.access_token;
    });
    cached = { token, expiresAt: Number.POSITIVE_INFINITY };
    token.catch(() => {
      if (cached?.token === token) cached = undefined;
    });
    return token;
  }

  return async (config: AxiosRequestConfig) => {
    const reused = cached !== undefined && Date.now() < cached.expiresAt;
    const token = reused ? cached!.token : fetchToken();
    const withToken = async (t: Promise<string>) => send({ ...config, headers: { ...config.headers, Authorization: `Bearer ${await t}` } });
    try {
      return await withToken(token);
    } catch (err) {
      // A cached token may have been revoked or expired early: one fresh token, then the answer stands.
      if (!reused || statusOf(err) !== 401) throw err;
      if (cached?.token === token) cached = undefined;
      return withToken(cached?.token ?? fetchToken());
    }
  };
}

const accountOf = (c: CvLibraryCredentials) => (isClientCredentials(c) ? `client:${c.clientId}` : `user:${c.username}`);

const statusOf = (err: unknown) => (isAxiosError(err) ? err.response?.status : undefined);

const toPublished = (a: z.output<typeof CvLibraryPublishedAnswer>): Published => ({
  jobId: a.job_id,
  url: a.url,
  expiresAt: new Date(a.expires_at).toISOString(),
});

const toStatus = (a: CvLibraryJobAnswer): CvLibraryJobStatus => ({ ...toPublished(a), reference: a.reference, status: a.status });
