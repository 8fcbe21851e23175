import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import type { z } from 'zod';
import { ProviderErrorType } from '../../domain/failures';
import { ProviderHttp, parseAnswer, type Send } from '../http';
import type { OriginPolicy } from '../origins';
import type { TokenBucket } from '../rate-limit';
import {
  Applications,
  Companies,
  ErecruiterApplicationCreated,
  ErecruiterError,
  type ErecruiterRecruitment,
  Origins,
  Recruitments,
  Stages,
  StagesHistory,
} from './schemas';
import { ERECRUITER_ORIGINS, type ErecruiterAuth } from './settings';

/** eRecruiter pages hold at most this many records; a list is read until a page comes back empty. */
export const ERECRUITER_PAGE = 100;

export interface ErecruiterClientOptions {
  baseUrl: string;
  authUrl: string;
  companyId: string;
  auth: ErecruiterAuth;
  /** Where the key, the user's password and the tokens may go (the clients bind to it). */
  origins: OriginPolicy;
  limiter?: TokenBucket;
  onWait?: () => void;
  attempts?: number;
  baseDelayMs?: number;
}

export interface NewApplication {
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
  originId: string;
  externalId: string;
  cv?: { fileName: string; contentType: string; base64: string };
}

/** What a POST of an application came to: a new one, or the one eRecruiter already holds for this externalId. */
export interface ApplicationPosted {
  applicationId: string;
  candidateId?: string;
  duplicate: boolean;
}

/**
 * eRecruiter's v1.1 API on the shared provider HTTP policy: the partner access key as a bearer token, or a token
 * from the OAuth password grant (kept per credentials in this process until it expires, renewed once on a 401).
 * Every call but `Account/Companies` carries `companyId`.
 */
export class ErecruiterClient {
  private readonly http: ProviderHttp;

  constructor(private readonly options: ErecruiterClientOptions) {
    const { auth } = options;
    this.http = new ProviderHttp({
      provider: 'eRecruiter',
      baseUrl: options.baseUrl,
      origins: options.origins,
      knownOrigins: ERECRUITER_ORIGINS,
      headers: {
        accept: 'application/json',
        'user-agent': 'jobrelay',
        ...('accessKey' in auth ? { authorization: `Bearer ${auth.accessKey}` } : {}),
      },
      authorize: 'accessKey' in auth ? undefined : (send) => withPasswordGrant(send, tokenClient(options.authUrl, options.origins), auth),
      limiter: options.limiter,
      attempts: options.attempts ?? 5,
      baseDelayMs: options.baseDelayMs,
      onWait: options.onWait,
      describeError: describeErecruiterError,
    });
  }

  get requests(): number {
    return this.http.requests;
  }

  companies() {
    return this.http.json('companies', { url: 'Account/Companies' }, Companies);
  }

  stages() {
    return this.get('stages', 'Account/Stages', Stages);
  }

  origins() {
    return this.get('origins', 'Account/Origins', Origins);
  }

  recruitmentsPage(offset: number, limit = ERECRUITER_PAGE) {
    return this.get('recruitments', 'Recruitments', Recruitments, { offset, limit });
  }

  /** Every recruitment, page by page until an empty page. */
  async recruitments() {
    const all: Array<z.output<typeof ErecruiterRecruitment>> = [];
    for (let offset = 0; ; offset += ERECRUITER_PAGE) {
      const page = await this.recruitmentsPage(offset);
      if (page.length === 0) return all;
      all.push(...page);
    }
  }

  applicationsPage(recruitmentId: string, offset: number, limit = ERECRUITER_PAGE) {
    return this.get('applications', `Recruitments/${encodeURIComponent(recruitmentId)}/CandidateApplications`, Applications, {
      offset,
      limit,
    });
  }

  stagesHistory(applicationId: string) {
    return this.get('stage history', `CandidateApplications/${encodeURIComponent(applicationId)}/StagesHistory`, StagesHistory);
  }

  /**
   * Adds an application to a recruitment. The same `externalId` again is eRecruiter's 409 `DuplicateApplication`,
   * which names the application it already holds: that one is the answer (a delivery made twice is one application).
   */
  async createApplication(recruitmentId: string, application: NewApplication): Promise<ApplicationPosted> {
    const res = await this.http.request({
      method: 'post',
      url: `Recruitments/${encodeURIComponent(recruitmentId)}/CandidateApplications`,
      params: { companyId: this.options.companyId },
      data: { ...application, originId: wireId(application.originId) },
      validateStatus: (status) => (status >= 200 && status < 300) || status === 409,
    });
    if (res.status !== 409) {
      const created = parseAnswer('eRecruiter', 'application created', ErecruiterApplicationCreated, res.data);
      return { applicationId: created.candidateApplicationId, candidateId: created.candidateId ?? undefined, duplicate: false };
    }
    const existing = duplicateOf(res.data, res.headers.location);
    if (!existing)
      throw ApplicationFailure.create({
        message: `eRecruiter answered 409: ${describeErecruiterError(res.data) ?? 'conflict'}`,
        type: ProviderErrorType.Validation,
        nonRetryable: true,
        details: [{ status: 409, body: res.data }],
      });
    return { applicationId: existing, duplicate: true };
  }

  private get<S extends z.ZodType>(what: string, url: string, schema: S, params: Record<string, string | number> = {}) {
    return this.http.json(what, { url, params: { companyId: this.options.companyId, ...params } }, schema);
  }
}

/** An id as eRecruiter gives it (a number when it is one): held as a string here, sent back in its own type. */
function wireId(id: string): string | number {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

/** The application a `DuplicateApplication` answer names: its `Location` header, else the id in its message. */
function duplicateOf(body: unknown, location: unknown): string | undefined {
  const errors = ErecruiterError.safeParse(body);
  const duplicate = errors.success ? errors.data.find((e) => e.errorCode === 'DuplicateApplication') : undefined;
  if (!duplicate) return undefined;
  const fromHeader = typeof location === 'string' ? /CandidateApplications\/([^/?#]+)/i.exec(location)?.[1] : undefined;
  return fromHeader ?? /(\d+)/.exec(duplicate.message ?? '')?.[1];
}

/** eRecruiter's `[{message, errorCode, modelType}]` as one line: `errorCode: message`. */
export function describeErecruiterError(body: unknown): string | undefined {
  const parsed = ErecruiterError.safeParse(body);
  if (!parsed.success || parsed.data.length === 0) return undefined;
  return parsed.data.map((e) => [e.errorCode, e.message].filter(Boolean).join(': ')).join('; ');
}

/** The errorCode of an eRecruiter refusal carried by a translated failure (`refusalOf`), if any. */
export function erecruiterErrorCode(body: unknown): string | undefined {
  const parsed = ErecruiterError.safeParse(body);
  return parsed.success ? (parsed.data.find((e) => e.errorCode)?.errorCode ?? undefined) : undefined;
}

type PasswordGrant = Exclude<ErecruiterAuth, { accessKey: string }>;

/** Tokens of the password grant, per credentials, in this process. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

/** The authorization server's client, bound to its origin like every provider client (the password goes nowhere else). */
function tokenClient(authUrl: string, origins: OriginPolicy): AxiosInstance {
  const client = axios.create({ baseURL: authUrl.replace(/\/+$/, ''), timeout: 30_000 });
  origins.bind(client, ERECRUITER_ORIGINS);
  return client;
}

/** Sends each request with a token of the password grant; a 401 renews the token once. */
function withPasswordGrant(send: Send, auth: AxiosInstance, grant: PasswordGrant): Send {
  const key = createHash('sha256')
    .update(JSON.stringify([auth.defaults.baseURL, grant]))
    .digest('hex');
  const token = async (renew: boolean) => {
    const cached = tokens.get(key);
    if (cached && !renew && cached.expiresAt > Date.now() + 30_000) return cached.token;
    const fresh = await requestToken(auth, grant);
    tokens.set(key, fresh);
    return fresh.token;
  };
  return async (config) => {
    const withToken = async (renew: boolean) =>
      send({ ...config, headers: { ...config.headers, authorization: `Bearer ${await token(renew)}` } });
    try {
      return await withToken(false);
    } catch (err) {
      if (!isAxiosError(err) || err.response?.status !== 401) throw err;
      return withToken(true);
    }
  };
}

async function requestToken(client: AxiosInstance, grant: PasswordGrant): Promise<{ token: string; expiresAt: number }> {
  try {
    const res = await client.post(
      'oAuth/Token',
      new URLSearchParams({ grant_type: 'password', username: grant.username, password: grant.password }).toString(),
      {
        auth: { username: grant.clientId, password: grant.clientSecret },
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      },
    );
    const { access_token, expires_in } = res.data ?? {};
    if (typeof access_token !== 'string') throw new Error('the token answer has no access_token');
    return { token: access_token, expiresAt: Date.now() + (Number(expires_in) || 300) * 1000 };
  } catch (err) {
    const status = isAxiosError(err) ? err.response?.status : undefined;
    // 400 (invalid_grant: user or password) and 401 (client id or secret) are a refusal of the credentials.
    if (isAxiosError(err) && (status === 400 || status === 401)) {
      const error = (err.response?.data as { error?: unknown } | undefined)?.error;
      const reason = typeof error === 'string' ? error : `HTTP ${status}`;
      throw ApplicationFailure.create({
        message: `eRecruiter authorization answered ${status}: ${reason}`,
        type: ProviderErrorType.Auth,
        nonRetryable: true,
        details: [{ status: 401 }],
      });
    }
    throw err;
  }
}
