import axios, { type AxiosInstance, isAxiosError } from 'axios';
import type { z } from 'zod';
import { retryAfterMs, toProviderFailure } from '../errors';
import { backoffMs, systemClock, type TokenBucket } from '../rate-limit';
import { LeverError, listEnvelope } from './schemas';

export interface LeverClientOptions {
  /** The v1 base, e.g. https://api.lever.co/v1 or <sandbox>/lever/v1. */
  baseUrl: string;
  apiKey: string;
  /** Shared by every request made with this key. */
  limiter: TokenBucket;
  /** Tries per request for 429, 5xx and dropped connections before the page fails to Temporal's retry. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called while waiting (rate limit, backoff), so a long page keeps heartbeating. */
  onWait?: () => void;
  timeoutMs?: number;
}

export interface ListParams {
  [name: string]: string | number | boolean | Array<string | number> | undefined;
}

/**
 * Lever's v1 API: Basic auth with the key as username, paced by the token bucket, with per-request
 * retries (backoff + jitter, honouring Retry-After) for 429/5xx/dropped connections. Whatever still fails
 * is translated once by `toProviderFailure`: 401/403 become non-retryable with Lever's message.
 */
export class LeverClient {
  private readonly http: AxiosInstance;
  private readonly origin: string;
  /** Requests sent (retries included): what a page cost against the rate limit. */
  requests = 0;

  constructor(private readonly options: LeverClientOptions) {
    const baseURL = options.baseUrl.replace(/\/$/, '');
    this.origin = new URL(baseURL).origin;
    this.http = axios.create({
      baseURL,
      auth: { username: options.apiKey, password: '' },
      timeout: options.timeoutMs ?? 30_000,
      // Lever repeats a parameter for several values: ?expand=a&expand=b.
      paramsSerializer: { indexes: null },
      headers: { accept: 'application/json', 'user-agent': 'jobrelay' },
    });
  }

  /** One page of a list endpoint. */
  async list<T extends z.ZodType>(path: string, item: T, params: ListParams, offset?: string) {
    const data = await this.request<unknown>({ url: path, params: { ...params, ...(offset ? { offset } : {}) } });
    return listEnvelope(item).parse(data);
  }

  /** Every page of a small list (stages, archive reasons). */
  async all<T extends z.ZodType>(path: string, item: T, params: ListParams = {}): Promise<Array<z.infer<T>>> {
    const out: Array<z.infer<T>> = [];
    let offset: string | undefined;
    do {
      const page = await this.list(path, item, { limit: 100, ...params }, offset);
      out.push(...page.data);
      offset = page.hasNext && page.next ? page.next : undefined;
    } while (offset);
    return out;
  }

  /** A file (e.g. a resume). The key is only sent to Lever's own host: other URLs are refused. */
  async download(url: string): Promise<{ content: Buffer; contentType: string }> {
    const target = new URL(url, `${this.options.baseUrl.replace(/\/$/, '')}/`);
    if (target.origin !== this.origin) throw new Error(`refusing to send the Lever key to ${target.origin}`);
    const res = await this.request<ArrayBuffer>({ url: target.toString(), responseType: 'arraybuffer', baseURL: undefined }, true);
    return { content: Buffer.from(res.data), contentType: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0] };
  }

  private async request<T>(config: Parameters<AxiosInstance['request']>[0]): Promise<T>;
  private async request<T>(
    config: Parameters<AxiosInstance['request']>[0],
    raw: true,
  ): Promise<{ data: T; headers: Record<string, unknown> }>;
  private async request<T>(config: Parameters<AxiosInstance['request']>[0], raw = false) {
    const { attempts = 6, baseDelayMs = 200, maxDelayMs = 15_000, onWait } = this.options;
    for (let attempt = 1; ; attempt++) {
      await this.waitFor(this.options.limiter.take());
      this.requests++;
      try {
        const res = await this.http.request<T>(config);
        return raw ? { data: res.data, headers: res.headers as Record<string, unknown> } : res.data;
      } catch (err) {
        const status = isAxiosError(err) ? err.response?.status : undefined;
        const transient = status === undefined || status === 429 || status >= 500 || status === 408;
        if (!isAxiosError(err) || !transient || attempt >= attempts) throw toProviderFailure('Lever', err, describeLeverError);
        const delay = retryAfterMs(err.response?.headers?.['retry-after']) ?? backoffMs(attempt, baseDelayMs, maxDelayMs);
        if (status === 429) this.options.limiter.holdFor(delay);
        else await this.waitFor(systemClock.sleep(delay));
        onWait?.();
      }
    }
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

/** Lever's `{code, message}` error body as one line. */
export function describeLeverError(body: unknown): string | undefined {
  if (body instanceof ArrayBuffer || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(Buffer.from(body as ArrayBuffer).toString('utf8'));
    } catch {
      return undefined;
    }
  }
  const parsed = LeverError.safeParse(body);
  if (!parsed.success || (!parsed.data.code && !parsed.data.message)) return undefined;
  return [parsed.data.code, parsed.data.message].filter(Boolean).join(': ');
}
