import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a signing proxy in front of the board sets: HMAC-SHA256 of the raw body, hex, optionally `sha256=`-prefixed. */
export const SIGNATURE_HEADER = 'x-signature';

export function signBody(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** True when `header` is the body's HMAC-SHA256 under `secret`; compared in constant time. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  const given = /^(?:sha256=)?([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  return timingSafeEqual(Buffer.from(signBody(secret, body), 'hex'), Buffer.from(given, 'hex'));
}
