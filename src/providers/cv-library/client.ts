import { ApplicationFailure } from '@temporalio/common';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { ProviderErrorType, toProviderFailure } from '../errors';
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
const PROVIDER = 'CV-Library';
/** A cached token is renewed this long before CV-Library says it expires. */
const TOKEN_MARGIN_MS = 60_000;

export interface CvLibraryClientOptions {
  baseUrl?: string;
  credentials: CvLibraryCredentials;
  /** Sent with every job call: the poster on the account the job is posted under. */
  posterEmail: string;
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
 * The CV-Library posting API. Every failure is an ApplicationFailure from `toProviderFailure`
 * (auth and validation faults non-retryable, 429 with Retry-After); credentials never appear in one.
 */
export function createCvLibraryClient(options: CvLibraryClientOptions): CvLibraryClient {
  const { credentials, posterEmail } = options;
  const http = axios.create({
    baseURL: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    timeout: options.timeoutMs ?? 15_000,
    headers: { Accept: 'application/json' },
  });
  const authorized = isClientCredentials(credentials)
    ? bearerAuth(http, credentials.clientId, credentials.clientSecret)
    : (config: AxiosRequestConfig) => http.request({ ...config, auth: { username: credentials.username, password: credentials.password } });

  async function call<S extends z.ZodType>(what: string, config: AxiosRequestConfig, schema: S): Promise<z.output<S>> {
    let res: AxiosResponse;
    try {
      res = await authorized(config);
    } catch (err) {
      throw toProviderFailure(PROVIDER, err);
    }
    return parseAnswer(what, schema, res.data);
  }

  const publish = (what: string, url: string, job: CvLibraryJob) =>
    call(what, { method: 'POST', url, data: { ...job, poster_email: posterEmail } }, CvLibraryPublishedAnswer).then(toPublished);
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
        await authorized({ method: 'DELETE', url: `/v2/job/delete/${jobPath(jobId)}`, params: withPoster });
        return 'deleted';
      } catch (err) {
        if (statusOf(err) === 404) return 'already-gone';
        throw toProviderFailure(PROVIDER, err);
      }
    },

    async getJob(jobId) {
      try {
        const res = await authorized({ method: 'GET', url: `/v2/job/${jobPath(jobId)}`, params: withPoster });
        return toStatus(parseAnswer('job', CvLibraryJobAnswer, res.data));
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw toProviderFailure(PROVIDER, err);
      }
    },

    async listLiveJobs() {
      const list = await call('job list', { method: 'GET', url: '/v2/jobs', params: withPoster }, CvLibraryJobList);
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
    if (!(err instanceof ApplicationFailure)) return undefined;
    const refused = err.details?.[0] as { status?: number; body?: unknown } | undefined;
    if (refused?.status !== 409) return undefined;
    const conflict = CvLibraryConflict.safeParse(refused.body);
    if (!conflict.success || !conflict.data.job_id) return undefined;
    const existing = await client.getJob(conflict.data.job_id);
    return existing?.status === 'live' ? { jobId: existing.jobId, url: existing.url, expiresAt: existing.expiresAt } : undefined;
  }

  return client;
}

/** OAuth2 client credentials: one token at a time, renewed shortly before expiry, fetched once more after a 401. */
function bearerAuth(http: AxiosInstance, clientId: string, clientSecret: string) {
  let cached: { token: Promise<string>; expiresAt: number } | undefined;

  function fetchToken(): Promise<string> {
    const token = http
      .post('/oauth/token', new URLSearchParams({ grant_type: 'client_credentials' }), {
        auth: { username: clientId, password: clientSecret },
      })
      .then((res) => {
        const answer = parseAnswer('token', CvLibraryToken, res.data);
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

  return async (config: AxiosRequestConfig): Promise<AxiosResponse> => {
    const reused = cached !== undefined && Date.now() < cached.expiresAt;
    const token = reused ? cached!.token : fetchToken();
    const send = async (t: Promise<string>) =>
      http.request({ ...config, headers: { ...config.headers, Authorization: `Bearer ${await t}` } });
    try {
      return await send(token);
    } catch (err) {
      // A cached token may have been revoked or expired early: one fresh token, then the answer stands.
      if (!reused || statusOf(err) !== 401) throw err;
      if (cached?.token === token) cached = undefined;
      return send(cached?.token ?? fetchToken());
    }
  };
}

function parseAnswer<S extends z.ZodType>(what: string, schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.create({ message: `${PROVIDER}: unexpected ${what} answer (${issues})`, type: ProviderErrorType.Unavailable });
}

const statusOf = (err: unknown) => (isAxiosError(err) ? err.response?.status : undefined);

const toPublished = (a: z.output<typeof CvLibraryPublishedAnswer>): Published => ({
  jobId: a.job_id,
  url: a.url,
  expiresAt: new Date(a.expires_at).toISOString(),
});

const toStatus = (a: CvLibraryJobAnswer): CvLibraryJobStatus => ({ ...toPublished(a), reference: a.reference, status: a.status });
