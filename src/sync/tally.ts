import { emptyCounts, type PageResult, type RecordCounts, type RunPosition, type WrittenRefs } from './types';

/** What became of one record of a page, and why when it was skipped. */
export interface RecordOutcome {
  outcome: keyof RecordCounts;
  reason?: string;
  /** What was written only in part, and why (e.g. a résumé that could not be read): counted, not fatal. */
  notes?: string[];
  /** What the record's writes produced: what a record later found gone at the provider takes with it. */
  wrote?: WrittenRefs;
}

/** A tally of one page: its counts, why records were skipped, the highest updatedAt seen, and the position after it. */
export class PageTally {
  private readonly counts = emptyCounts();
  private readonly skippedReasons: Record<string, number> = {};
  private readonly notes: Record<string, number> = {};
  private maxSeen: number | undefined;

  constructor(private readonly position: RunPosition) {
    this.maxSeen = position.maxSeen;
  }

  saw(updatedAt: number | undefined): void {
    if (updatedAt !== undefined) this.maxSeen = Math.max(this.maxSeen ?? updatedAt, updatedAt);
  }

  add({ outcome, reason, notes }: RecordOutcome): void {
    this.counts[outcome] += 1;
    if (reason) this.skippedReasons[reason] = (this.skippedReasons[reason] ?? 0) + 1;
    for (const note of notes ?? []) this.notes[note] = (this.notes[note] ?? 0) + 1;
  }

  /**
   * Applications records of the page no longer list, marked gone now: `deleted`, as a record found gone is (each
   * once: the store marks an application gone only once).
   */
  dropped(applications: number): void {
    this.counts.deleted += applications;
  }

  /** The page's result; `nextPage` is the provider's token for the next page (unset: the listing is done). */
  result(nextPage: string | undefined): Omit<PageResult, 'requests'> {
    const next = nextPage ? { ...this.position, page: nextPage, maxSeen: this.maxSeen } : undefined;
    const notes = Object.keys(this.notes).length ? { notes: this.notes } : {};
    return { counts: this.counts, skippedReasons: this.skippedReasons, ...notes, next, maxSeen: this.maxSeen };
  }
}

/** Two consecutive pages of one run as one result: counts and requests added, the later page's position and totals. */
export function addPages(first: PageResult, then: PageResult): PageResult {
  const counts = emptyCounts();
  for (const key of Object.keys(counts) as Array<keyof RecordCounts>) counts[key] = (first.counts[key] ?? 0) + (then.counts[key] ?? 0);
  const notes = first.notes || then.notes ? addUp(first.notes, then.notes) : undefined;
  const postingsToUnpost = [...(first.postingsToUnpost ?? []), ...(then.postingsToUnpost ?? [])];
  return {
    counts,
    skippedReasons: addUp(first.skippedReasons, then.skippedReasons),
    ...(notes && { notes }),
    next: then.next,
    requests: first.requests + then.requests,
    total: then.total ?? first.total,
    maxSeen: then.maxSeen ?? first.maxSeen,
    ...(postingsToUnpost.length && { postingsToUnpost }),
    pages: (first.pages ?? 1) + (then.pages ?? 1),
  };
}

function addUp(a: Record<string, number> = {}, b: Record<string, number> = {}): Record<string, number> {
  const sum = { ...a };
  for (const [key, n] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + n;
  return sum;
}
