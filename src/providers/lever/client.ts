import type { z } from 'zod';
import { jsonBody } from '../errors';
import { ProviderHttp, type ProviderHttpOptions } from '../http';
import type { OriginPolicy } from '../origins';
import type { TokenBucket } from '../rate-limit';
import { LeverError, listEnvelope } from './schemas';
import { LEVER_ORIGINS } from './settings';

export interface LeverClientOptions {
  /** The v1 base, e.g. https://api.lever.co/v1 or <sandbox>/lever/v1. */
  baseUrl: string;
  apiKey: string;
  /** Where the key may go: checked on every request and connection. */
  origins: OriginPolicy;
  /** Shared by every request made with this key. */
  limiter: TokenBucket;
  /** Tries per request for 429, 5xx and dropped connections before the page fails to Temporal's retry. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called while waiting (rate limit, backoff), so a long page keeps heartbeating. */
  onWait?: () => void;
  /** Told while a request is being tried again here (see ProviderHttp). */
  onRetrying?: ProviderHttpOptions['onRetrying'];
  timeoutMs?: number;
}

export interface ListParams {
  [name: string]: string | number | boolean | Array<string | number> | undefined;
}

/**
 * Lever's v1 API: Basic auth with the key as username, on the shared provider HTTP policy (src/providers/http.ts).
 * A sync page makes many requests, so each one is retried here (6 tries by default) before the page fails.
 */
export class LeverClient {
  private readonly http: ProviderHttp;

  constructor(options: LeverClientOptions) {
    this.http = new ProviderHttp({
      provider: 'Lever',
      baseUrl: options.baseUrl,
      origins: options.origins,
      knownOrigins: LEVER_ORIGINS,
      auth: { username: options.apiKey, password: '' },
      timeoutMs: options.timeoutMs,
      // Lever repeats a parameter for several values: ?expand=a&expand=b.
      paramsSerializer: { indexes: null },
      headers: { accept: 'application/json', 'user-agent': 'jobrelay' },
      limiter: options.limiter,
      attempts: options.attempts ?? 6,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      onWait: options.onWait,
      onRetrying: options.onRetrying,
      describeError: describeLeverError,
    });
  }

  /** Requests sent (retries included): what a page cost against the rate limit. */
  get requests(): number {
    return this.http.requests;
  }

  /** One page of a list endpoint. */
  list<T extends z.ZodType>(path: string, item: T, params: ListParams, offset?: string) {
    return this.http.json(path, { url: path, params: { ...params, ...(offset ? { offset } : {}) } }, listEnvelope(item));
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
    const res = await this.http.request<ArrayBuffer>({ url: this.http.sameOrigin(url), responseType: 'arraybuffer', baseURL: undefined });
    return { content: Buffer.from(res.data), contentType: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0] };
  }
}

/** Lever's `{code, message}` error body as one line. */
export function describeLeverError(body: unknown): string | undefined {
  const parsed = LeverError.safeParse(jsonBody(body));
  if (!parsed.success || (!parsed.data.code && !parsed.data.message)) return undefined;
  return [parsed.data.code, parsed.data.message].filter(Boolean).join(': ');
}
