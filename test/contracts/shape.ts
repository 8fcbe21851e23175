import fs from 'node:fs';
import path from 'node:path';

export const EXAMPLES_DIR = path.join(__dirname, 'examples');

/** A literal example from test/contracts/examples, written from the provider's documentation (../shared/providers). */
export function example<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, `${name}.json`), 'utf8')) as T;
}

export interface ShapeOptions {
  /** Paths (as reported, e.g. `county`, `data[].content`) the documentation marks optional: they may be absent or null. */
  optional?: string[];
  /** Paths whose value may be any JSON type (e.g. an id Lever gives as a string or, expanded, as an object). */
  anyType?: string[];
}

/**
 * Where `actual` differs in shape from the documented example, one line each: a key the documentation does not
 * have, a documented key that is missing, or a value of another JSON type. Array elements are compared with the
 * example's first element; an empty example array or a `null` example value accepts anything.
 */
export function shapeDifferences(actual: unknown, documented: unknown, options: ShapeOptions = {}): string[] {
  const optional = new Set(options.optional ?? []);
  const anyType = new Set(options.anyType ?? []);
  const out: string[] = [];
  const walk = (a: unknown, d: unknown, at: string) => {
    if (anyType.has(at) || d === null) return;
    if (a === null && optional.has(at)) return;
    if (kind(a) !== kind(d)) {
      out.push(`${at || '(root)'}: ${kind(a)} where the documentation has ${kind(d)}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(d)) {
      if (d.length > 0) for (const item of a) walk(item, d[0], `${at}[]`);
      return;
    }
    if (kind(a) === 'object') {
      const ao = a as Record<string, unknown>;
      const doc = d as Record<string, unknown>;
      for (const key of Object.keys(ao)) {
        const p = at ? `${at}.${key}` : key;
        if (!(key in doc)) out.push(`${p}: not in the documentation`);
        else walk(ao[key], doc[key], p);
      }
      for (const key of Object.keys(doc)) {
        const p = at ? `${at}.${key}` : key;
        if (!(key in ao) && !optional.has(p)) out.push(`${p}: documented, missing`);
      }
    }
  };
  walk(actual, documented, '');
  return [...new Set(out)];
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
