import { createHmac } from 'node:crypto';

/** The header each delivery is signed in: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export const SIGNATURE_HEADER = 'Jobrelay-Signature';

/** A receiver refuses a delivery signed longer ago than this (replay window). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/**
 * The signature header of `body` sent at `nowMs`: one `v1` per secret, the current one first; while a rotated
 * secret's grace period lasts, it signs too, so a receiver that still has the old secret keeps verifying.
 */
export function signatureHeader(body: string, secrets: readonly string[], nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return [`t=${t}`, ...secrets.map((secret) => `v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`)].join(',');
}
