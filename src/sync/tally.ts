import { emptyCounts, type PageResult, type RecordCounts, type RunPosition } from './types';

/** What became of one record of a page, and why when it was skipped. */
export interface RecordOutcome {
  outcome: keyof RecordCounts;
  reason?: string;
}

/** A tally of one page: its counts, why records were skipped, the highest updatedAt seen, and the position after it. */
export class PageTally {
  private readonly counts = emptyCounts();
  private readonly skippedReasons: Record<string, number> = {};
  private maxSeen: number | undefined;

  constructor(private readonly position: RunPosition) {
    this.maxSeen = position.maxSeen;
  }

  saw(updatedAt: number): void {
    this.maxSeen = Math.max(this.maxSeen ?? updatedAt, updatedAt);
  }

  add({ outcome, reason }: RecordOutcome): void {
    this.counts[outcome] += 1;
    if (reason) this.skippedReasons[reason] = (this.skippedReasons[reason] ?? 0) + 1;
  }

  /** The page's result; `nextPage` is the provider's token for the next page (unset: the run is done). */
  result(nextPage: string | undefined): Omit<PageResult, 'requests'> {
    const next = nextPage ? { ...this.position, page: nextPage, maxSeen: this.maxSeen } : undefined;
    return { counts: this.counts, skippedReasons: this.skippedReasons, next, maxSeen: this.maxSeen };
  }
}
