import { Buffer } from 'node:buffer';

// Opaque page tokens for the sandboxes: a value (e.g. a keyset position) as base64url JSON, and a short hash of the
// query it belongs to, so a token used with another query is refused as a real API would.

/** A short, stable hash of a query's parameters (FNV-1a). */
export function queryHash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

export function opaqueToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The token's value when it decodes and `valid` accepts it; undefined for anything else. */
export function readToken<T>(token: string, valid: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return valid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
