import { RE2 } from 're2-wasm';
import type { z } from 'zod';

// Rules a connector's settings apply to a provider's job: remote/hybrid by a user's regex, hidden by
// tags/teams, and "only jobs with a location". User regexes run on RE2 (linear time), so none can hang a worker.

export type Workplace = 'onsite' | 'hybrid' | 'remote';

const compiled = new Map<string, RE2>();

/** Compiles a user's pattern with RE2, case-insensitive; throws with RE2's message when it is not valid. */
export function userRegex(pattern: string): RE2 {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RE2(pattern, 'iu');
    if (compiled.size > 500) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** A zod refinement: the string must compile as an RE2 pattern. */
export function refineRegex(value: string, ctx: z.RefinementCtx): void {
  try {
    userRegex(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression (RE2 syntax): ${(err as Error).message}` });
  }
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
