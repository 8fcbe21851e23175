import type { Readable } from 'node:stream';
import axios, { isAxiosError } from 'axios';
import { ANY_PUBLIC_ORIGIN, type OriginPolicy } from '../providers/origins';
import type { AttemptResult } from '../store/webhooks';
import { SIGNATURE_HEADER, signatureHeader } from './signature';
import type { EventBody } from './types';

/** How long a subscriber has to answer one delivery. */
const TIMEOUT_MS = 10_000;
/** What is read of an answer's body (then it is dropped): nothing of it is kept. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Posts one signed event to a subscriber, once. Destinations follow the webhook origin policy (https, and no
 * private, loopback or metadata address unless the operator allows it), checked again on the address the name
 * resolves to when connecting; redirects are not followed. Any answer other than 2xx, or none, is a failed attempt.
 */
export function createWebhookSender(origins: OriginPolicy, timeoutMs = TIMEOUT_MS) {
  return async function send(url: string, event: EventBody, secrets: readonly string[]): Promise<AttemptResult> {
    const body = JSON.stringify(event);
    const client = axios.create({ baseURL: url, timeout: timeoutMs, responseType: 'stream', validateStatus: () => true });
    origins.bind(client, ANY_PUBLIC_ORIGIN);
    try {
      const res = await client.post(url, body, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'jobrelay-webhooks/1',
          [SIGNATURE_HEADER]: signatureHeader(body, secrets, Date.now()),
          'jobrelay-event-id': event.id,
          'jobrelay-event-type': event.type,
        },
      });
      await drain(res.data as Readable);
      const ok = res.status >= 200 && res.status < 300;
      return ok ? { ok, statusCode: res.status } : { ok, statusCode: res.status, error: `answered HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, error: describe(err) };
    }
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

/** Reads the answer to its end (so the connection is reused), or drops the connection when it is long. */
function drain(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    let read = 0;
    stream.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > MAX_ANSWER_BYTES) stream.destroy();
    });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
}

/** Why no answer came, in a line: the error's code and message, never the request. */
function describe(err: unknown): string {
  if (isAxiosError(err)) {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    const code = err.code ?? cause?.code;
    const message = cause?.message ?? err.message;
    return (code ? `${code}: ${message}` : message).slice(0, 300);
  }
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}
