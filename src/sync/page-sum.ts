import type { PageResult } from './types';

const add = (a: Record<string, number> = {}, b: Record<string, number> = {}) => {
  const sum = { ...a };
  for (const [key, n] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + n;
  return sum;
};

/** Two consecutive pages of one run as one result: counts and requests added, the later page's position and totals. */
export function addPages(first: PageResult, then: PageResult): PageResult {
  const notes = first.notes || then.notes ? add(first.notes, then.notes) : undefined;
  const postingsToUnpost = [...(first.postingsToUnpost ?? []), ...(then.postingsToUnpost ?? [])];
  return {
    counts: add(
      first.counts as unknown as Record<string, number>,
      then.counts as unknown as Record<string, number>,
    ) as unknown as PageResult['counts'],
    skippedReasons: add(first.skippedReasons, then.skippedReasons),
    ...(notes && { notes }),
    next: then.next,
    requests: first.requests + then.requests,
    total: then.total ?? first.total,
    maxSeen: then.maxSeen ?? first.maxSeen,
    ...(postingsToUnpost.length && { postingsToUnpost }),
    pages: (first.pages ?? 1) + (then.pages ?? 1),
  };
}
