import { ApplicationFailure } from '@temporalio/common';
import axios, { type AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { ProviderErrorType } from '../domain/failures';
import { retryAfterMs, toProviderFailure } from './errors';
import type { OriginPolicy } from './origins';
import { backoffMs, type EndpointLimits, systemClock, type TokenBucket } from './rate-limit';

/** How one request goes out: axios on the client's instance, or that wrapped with credentials (see `authorize`). */
export type Send = (config: AxiosRequestConfig) => Promise<AxiosResponse>;

export interface ProviderHttpOptions {
  /** The provider as messages name it, e.g. `Lever`. */
  provider: string;
  baseUrl: string;
  /** Where the credentials may go (checked on every request and connection), and the provider's own API origins. */
  origins: OriginPolicy;
  knownOrigins: readonly string[];
  timeoutMs?: number;
  /** Sent with every request (accept, user agent). */
  headers?: Record<string, string>;
  /** HTTP Basic credentials sent with every request. */
  auth?: { username: string; password: string };
  /** Credentials that need calls of their own (an OAuth token): wraps the plain send. */
  authorize?: (send: Send) => Send;
  /** Shared by every request made with one credential; a 429 holds it for all of them. Unset: no pacing. */
  limiter?: TokenBucket;
  /**
   * Where the provider limits each endpoint on its own: the credential's limits per endpoint family, and the family
   * of a request. A request of a family is paced by that family's bucket (not `limiter`) and waits for a free slot
   * when the family caps concurrency; its 429 holds that family only.
   */
  endpoints?: { limits: EndpointLimits; familyOf(config: AxiosRequestConfig): string };
  /** Sees every answer, failures included (e.g. to read a provider's rate-limit headers); `family` as above. */
  onResponse?: (response: AxiosResponse, family: string | undefined) => void;
  /**
   * Tries per request for 429, 5xx, 408 and no answer (default 1). Above 1 for clients whose activity makes many
   * requests (a sync page): there one failed request would otherwise repeat the whole page under Temporal's retry.
   */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called while a request waits (rate limit, backoff), so a long activity keeps heartbeating. */
  onWait?: () => void;
  /**
   * Told when a request failed and is tried again here (the latest such retry of this client's requests still under
   * way), and with undefined once none is: what an operator sees while a page is held up by its provider.
   */
  onRetrying?: (retry: RequestRetry | undefined) => void;
  /** The provider's error body as one line, for the failure's message. */
  describeError?: (body: unknown) => string | undefined;
  paramsSerializer?: AxiosRequestConfig['paramsSerializer'];
}

/** A request being tried again by the client itself, before its activity fails to Temporal's retry. */
export interface RequestRetry {
  /** The try to come (2 = the first retry). */
  attempt: number;
  /** Why the last try failed, as the page's failure would say it (never the credentials). */
  message: string;
  /** When the next try goes out (ms since the epoch). */
  at: number;
}

/**
 * Every provider request goes through here, under one policy:
 * - paced by the credential's token bucket when there is one; a 429 holds the bucket for everyone on that
 *   credential (Retry-After, else backoff);
 * - a failure leaves as one ApplicationFailure from `toProviderFailure`: auth and validation faults are never
 *   retried; 429, 5xx, 408 and dropped connections are retried here (backoff with jitter, honouring Retry-After)
 *   while `attempts` allows, then by Temporal's retry policy (a 429's Retry-After becomes `nextRetryDelay`);
 * - credentials are never part of a failure, and are sent only to the base URL's origin.
 */
export class ProviderHttp {
  readonly axios: AxiosInstance;
  readonly baseUrl: string;
  /** Requests sent (retries included): what the work cost against the provider's rate limit. */
  requests = 0;
  private readonly send: Send;
  /** The retries of requests under way, by request. */
  private readonly retries = new Map<object, RequestRetry>();

  constructor(private readonly options: ProviderHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.axios = axios.create({
      baseURL: this.baseUrl,
      timeout: options.timeoutMs ?? 30_000,
      auth: options.auth,
      headers: options.headers,
      paramsSerializer: options.paramsSerializer,
    });
    options.origins.bind(this.axios, options.knownOrigins);
    const plain: Send = (config) => this.axios.request(config);
    this.send = options.authorize ? options.authorize(plain) : plain;
  }

  /** Sends a request under the policy above. */
  async request<T = unknown>(config: AxiosRequestConfig): Promise<AxiosResponse<T>> {
    const { attempts = 1, baseDelayMs = 200, maxDelayMs = 15_000, onWait, provider, describeError, endpoints } = this.options;
    const family = endpoints?.familyOf(config);
    const bucket = family === undefined ? this.options.limiter : endpoints?.limits.bucket(family);
    const gate = family === undefined ? undefined : endpoints?.limits.gate(family);
    const request = {};
    try {
      for (let attempt = 1; ; attempt++) {
        let failure: AxiosError;
        // A concurrency slot is held from the token to the answer, never through a backoff.
        const release = gate ? await this.waitFor(gate.acquire()) : undefined;
        try {
          if (bucket) await this.waitFor(bucket.take());
          this.requests++;
          const response = await this.send(config);
          this.options.onResponse?.(response, family);
          return response as AxiosResponse<T>;
        } catch (err) {
          if (isAxiosError(err) && err.response) this.options.onResponse?.(err.response, family);
          if (!isTransient(err) || attempt >= attempts) throw toProviderFailure(provider, err, describeError);
          failure = err;
        } finally {
          release?.();
        }
        const delay = retryAfterMs(failure.response?.headers?.['retry-after']) ?? backoffMs(attempt, baseDelayMs, maxDelayMs);
        const message = toProviderFailure(provider, failure, describeError).message;
        this.retrying(request, { attempt: attempt + 1, message, at: Date.now() + delay });
        if (failure.response?.status === 429 && bucket) bucket.holdFor(delay);
        else await this.waitFor(systemClock.sleep(delay));
        onWait?.();
      }
    } finally {
      this.retrying(request, undefined);
    }
  }

  /** A request whose answer must fit `schema`; one that does not is `Unavailable` (retried: a provider glitch). */
  async json<S extends z.ZodType>(what: string, config: AxiosRequestConfig, schema: S): Promise<z.output<S>> {
    const res = await this.request(config);
    return parseAnswer(this.options.provider, what, schema, res.data);
  }

  /**
   * An absolute URL the provider gave (a file download), resolved against the base. Refused unless it is on the
   * base URL's origin: the credentials go nowhere else.
   */
  sameOrigin(url: string): string {
    const target = new URL(url, `${this.baseUrl}/`);
    const origin = new URL(this.baseUrl).origin;
    if (target.origin !== origin) throw new Error(`refusing to send the ${this.options.provider} key to ${target.origin}`);
    return target.toString();
  }

  /** Notes a request's retry (or its end) and tells `onRetrying` the latest retry still under way. */
  private retrying(request: object, retry: RequestRetry | undefined): void {
    if (!retry && !this.retries.delete(request)) return;
    if (retry) this.retries.set(request, retry);
    this.options.onRetrying?.([...this.retries.values()].at(-1));
  }

  private async waitFor<T>(promise: Promise<T>): Promise<T> {
    const { onWait } = this.options;
    if (!onWait) return promise;
    const timer = setInterval(onWait, 1000);
    try {
      return await promise;
    } finally {
      clearInterval(timer);
    }
  }
}

/** An answer the provider gave that does not fit its schema, as a retryable failure naming the fields. */
export function parseAnswer<S extends z.ZodType>(provider: string, what: string, schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.create({ message: `${provider}: unexpected ${what} answer (${issues})`, type: ProviderErrorType.Unavailable });
}

function isTransient(err: unknown): err is AxiosError {
  if (!isAxiosError(err)) return false;
  const status = err.response?.status;
  return status === undefined || status === 429 || status === 408 || status >= 500;
}
