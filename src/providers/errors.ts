import { ApplicationFailure } from '@temporalio/common';
import { isAxiosError } from 'axios';
import { ProviderErrorType } from '../domain/failures';
import { ORIGIN_REFUSED } from './origins';

/**
 * Translates a failed provider call into an ApplicationFailure once, at the client:
 * auth and validation faults are non-retryable with the provider's own message; 429 honours
 * Retry-After; everything else is retried by Temporal's backoff. Never carries request headers.
 */
export function toProviderFailure(
  provider: string,
  err: unknown,
  describeBody: (body: unknown) => string | undefined = defaultMessage,
): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  // Refused here before anything was sent (an origin or address the credentials may not go to): a person must act.
  if ((err as { code?: unknown })?.code === ORIGIN_REFUSED) {
    return ApplicationFailure.create({
      message: `${provider}: ${(err as Error).message}`,
      type: ProviderErrorType.Auth,
      nonRetryable: true,
    });
  }
  if (!isAxiosError(err) || !err.response) {
    const reason = isAxiosError(err) ? (err.code ?? err.message) : err instanceof Error ? err.message : String(err);
    return ApplicationFailure.create({ message: `${provider}: no answer (${reason})`, type: ProviderErrorType.Unavailable });
  }
  const { status, data, headers } = err.response;
  const detail = describeBody(data) ?? `HTTP ${status}`;
  const message = `${provider} answered ${status}: ${detail}`;
  if (status === 401 || status === 403) {
    return ApplicationFailure.create({ message, type: ProviderErrorType.Auth, nonRetryable: true, details: [{ status, body: data }] });
  }
  if (status === 429) {
    return ApplicationFailure.create({
      message,
      type: ProviderErrorType.RateLimited,
      nextRetryDelay: retryAfterMs(headers['retry-after']),
      details: [{ status }],
    });
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return ApplicationFailure.create({
      message,
      type: ProviderErrorType.Validation,
      nonRetryable: true,
      details: [{ status, body: data }],
    });
  }
  return ApplicationFailure.create({ message, type: ProviderErrorType.Unavailable, details: [{ status }] });
}

/**
 * A failed call as a connection test reports it: the failure's class and HTTP status, never the answer's body
 * (the host may not be the provider, and a body could carry what it should not).
 */
export function failureClass(err: unknown): string {
  if (!(err instanceof ApplicationFailure)) return 'ProviderUnavailable (no answer)';
  const status = refusalOf(err)?.status;
  return `${err.type ?? 'ProviderError'} (${status ? `HTTP ${status}` : err.type === ProviderErrorType.Auth ? 'refused' : 'no answer'})`;
}

/** The answer behind a translated failure: auth and validation failures carry its status and body (e.g. an error code). */
export function refusalOf(err: unknown): { status?: number; body?: unknown } | undefined {
  return err instanceof ApplicationFailure ? (err.details?.[0] as { status?: number; body?: unknown } | undefined) : undefined;
}

/** Retry-After in seconds or as an HTTP date; undefined leaves the retry policy's backoff in charge. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function defaultMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const parts = [b.error, b.code, b.message].filter((v) => typeof v === 'string');
    if (parts.length) return [...new Set(parts)].join(': ');
  }
  return typeof body === 'string' && body.length < 500 ? body : undefined;
}

/** A body that came as bytes (a download's error) as JSON, when it is; otherwise as it came. */
export function jsonBody(body: unknown): unknown {
  if (!(body instanceof ArrayBuffer || Buffer.isBuffer(body))) return body;
  try {
    return JSON.parse(Buffer.from(body as ArrayBuffer).toString('utf8'));
  } catch {
    return undefined;
  }
}
