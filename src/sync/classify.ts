import { WrappedRE2 } from 're2-wasm/build/wasm/re2';
import type { z } from 'zod';

// Rules a connector's settings apply to a provider's job: remote/hybrid by a user's regex, hidden by
// tags/teams, and "only jobs with a location". User regexes run on RE2 (linear time), so none can hang a worker.

export type Workplace = 'onsite' | 'hybrid' | 'remote';

// RE2's WASM heap is fixed (16 MiB) and a compiled pattern lives there until it is deleted. So a pattern's cost is
// bounded before it is compiled, every compile that is not kept is deleted (a refused one included), and at most
// CACHE_SIZE compiled patterns are kept, the least recently used deleted first. The engine is used directly
// (not re2-wasm's RE2 class, which cannot free a pattern it refused): patterns are RE2 syntax, case-insensitive.

/** Above this estimated cost a pattern is refused: the largest allowed (e.g. \\pL{5}, .{250}) compiles in a few hundred ms into ~0.2 MiB. */
export const MAX_PATTERN_COST = 1_000;
const CACHE_SIZE = 32;
/** A compiled pattern; embind objects live on the WASM heap until `delete()`. */
type Engine = WrappedRE2 & { delete(): void };
const compiled = new Map<string, Engine>();

/** A user's pattern the engine will not take: invalid RE2, or too costly to compile. The message is for the user. */
export class UserRegexError extends Error {}

/** Compiles a user's pattern (cached); throws a UserRegexError saying why it cannot be used. */
export function userRegex(pattern: string): { test(value: string): boolean } {
  let re = compiled.get(pattern);
  if (re) compiled.delete(pattern);
  else re = compile(pattern);
  compiled.set(pattern, re); // most recently used last
  for (const [oldest, old] of compiled) {
    if (compiled.size <= CACHE_SIZE) break;
    compiled.delete(oldest);
    old.delete();
  }
  const engine = re;
  return { test: (value: string) => engine.match(value, 0, false).index >= 0 };
}

/** A zod refinement: the pattern must compile as RE2 within the cost bound. Nothing it compiles is kept. */
export function refineRegex(value: string, ctx: z.RefinementCtx): void {
  try {
    compile(value).delete();
  } catch (err) {
    if (!(err instanceof UserRegexError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
}

function compile(pattern: string): Engine {
  const cost = patternCost(pattern);
  if (cost > MAX_PATTERN_COST)
    throw new UserRegexError(
      `the regular expression is too costly (about ${cost} units, at most ${MAX_PATTERN_COST}): use fewer or smaller counted repetitions ({n}) of Unicode classes (\\p{…}) or wildcards`,
    );
  let re: Engine;
  try {
    re = new WrappedRE2(pattern, true, false, false) as Engine;
  } catch {
    // The engine ran out of its fixed memory: never its raw text, and the pattern is refused.
    throw new UserRegexError('the regular expression is too costly for the regex engine');
  }
  if (re.ok()) return re;
  const reason = re.error();
  re.delete();
  throw new UserRegexError(`not a valid regular expression (RE2 syntax): ${reason}`);
}

/**
 * A conservative estimate of what RE2 compiles the pattern into: each atom weighs what it expands to (a Unicode
 * class under case folding is hundreds of ranges), a counted repetition multiplies what it repeats, alternatives add.
 */
export function patternCost(pattern: string): number {
  let i = 0;
  const atomWeight = (): number => {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i += 2;
      if (next === 'p' || next === 'P') {
        if (pattern[i] === '{') i = Math.max(i, pattern.indexOf('}', i) + 1 || pattern.length);
        else i += 1;
        return 200;
      }
      if (next === 'x' && pattern[i] === '{') i = Math.max(i, pattern.indexOf('}', i) + 1 || pattern.length);
      return /[wWdDsSbB]/.test(next) ? 4 : 1;
    }
    if (c === '[') {
      let weight = 2;
      i += 1;
      if (pattern[i] === '^') {
        weight = 4;
        i += 1;
      }
      if (pattern[i] === ']') i += 1;
      while (i < pattern.length && pattern[i] !== ']') {
        if (pattern[i] === '\\') {
          weight += /[pP]/.test(pattern[i + 1] ?? '') ? 200 : 1;
          i += 2;
        } else if (pattern.startsWith('[:', i)) {
          weight += 4;
          i = Math.max(i + 2, pattern.indexOf(':]', i) + 2);
        } else i += 1;
      }
      i += 1;
      return weight;
    }
    if (c === '(') {
      i += 1;
      if (pattern[i] === '?') {
        while (i < pattern.length && pattern[i] !== ':' && pattern[i] !== ')' && pattern[i] !== '>') i += 1;
        if (pattern[i] === ')') {
          i += 1;
          return 0; // a flags group such as (?i)
        }
        i += 1;
      }
      const inner = sequence();
      i += 1; // ')'
      return inner;
    }
    i += 1;
    return c === '.' ? 4 : 1;
  };
  const sequence = (): number => {
    let total = 0;
    let branch = 0;
    while (i < pattern.length && pattern[i] !== ')') {
      if (pattern[i] === '|') {
        total += branch;
        branch = 0;
        i += 1;
        continue;
      }
      let weight = atomWeight();
      const counted = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i));
      if (counted) {
        const most = counted[2] === undefined ? Number(counted[1]) : counted[2] === '' ? Number(counted[1]) + 1 : Number(counted[2]);
        weight *= Math.max(1, most);
        i += counted[0].length;
      } else if (/[*+?]/.test(pattern[i] ?? '')) i += 1;
      if (pattern[i] === '?') i += 1; // lazy
      branch += weight;
    }
    return total + branch;
  };
  let cost = 0;
  while (i < pattern.length) {
    cost += sequence();
    i += 1; // an unbalanced ')': RE2 refuses it anyway
  }
  return cost;
}

export interface WorkplaceRule {
  remoteRegex?: string;
  hybridRegex?: string;
}

/** Remote when the remote pattern matches the value, else hybrid when the hybrid one does, else on-site. */
export function classifyWorkplace(value: string | null | undefined, rule: WorkplaceRule): Workplace | undefined {
  if (!value) return undefined;
  if (rule.remoteRegex && userRegex(rule.remoteRegex).test(value)) return 'remote';
  if (rule.hybridRegex && userRegex(rule.hybridRegex).test(value)) return 'hybrid';
  if (rule.remoteRegex || rule.hybridRegex) return 'onsite';
  return undefined;
}

export interface HiddenRule {
  tags?: string[];
  teams?: string[];
  departments?: string[];
}

/** Hidden when the job carries any listed tag, or sits in a listed team or department (case-insensitive). */
export function isHidden(
  job: { tags?: string[]; team?: string | null; department?: string | null },
  rule: HiddenRule | undefined,
): boolean {
  if (!rule) return false;
  const norm = (s: string) => s.trim().toLowerCase();
  const has = (list: string[] | undefined, value: string | null | undefined) => !!value && !!list?.some((x) => norm(x) === norm(value));
  return (job.tags ?? []).some((t) => has(rule.tags, t)) || has(rule.teams, job.team) || has(rule.departments, job.department);
}
