import type { StageMapping } from './status-mapping';
import type { StageChange } from './types';

// The rules of one status-sync run, pure (the workflow keeps the tally; the activities apply the decisions): which
// stage changes a run reads, what becomes of each, and how the run counts them. Times are ms since the epoch.

/** What a run reads: stage changes made in [since, until]. `since` starts a little before the last good run's end. */
export interface RunWindow {
  since: number;
  until: number;
}

/** How far before the last good run's end the next run starts reading again (pushes are deduplicated). */
export const RUN_OVERLAP_MS = 10 * 60_000;

/** The window of a run starting at `now`: from where the last good run ended (else the enablement) to now. */
export function runWindow(enabledAt: number, syncedUntil: number | undefined, now: number): RunWindow {
  const since = syncedUntil === undefined ? enabledAt : Math.max(enabledAt, syncedUntil - RUN_OVERLAP_MS);
  return { since, until: now };
}

/** The history's changes inside the window, oldest first. */
export function changesIn(history: StageChange[], window: RunWindow): StageChange[] {
  return history
    .map((c) => ({ change: c, at: Date.parse(c.changedAt) }))
    .filter(({ at }) => at >= window.since && at <= window.until)
    .sort((a, b) => a.at - b.at)
    .map(({ change }) => change);
}

export type ChangeDecision = { kind: 'push'; status: string } | { kind: 'hold'; reason: string };

/** A change into a mapped stage is pushed with its status; into an unmapped (or unknown) one it is held, never guessed. */
export function decideChange(change: StageChange, mapping: StageMapping, stageName: (id: string) => string | undefined): ChangeDecision {
  const status = mapping[change.stageId];
  if (status !== undefined) return { kind: 'push', status };
  const name = stageName(change.stageId);
  return { kind: 'hold', reason: name ? `stage "${name}" (${change.stageId}) is not mapped` : `stage ${change.stageId} is unknown` };
}

/** A change older than one already pushed for the application would move the tool's status back: it is dropped. */
export function isSuperseded(change: StageChange, lastPushedAt: number | undefined): boolean {
  return lastPushedAt !== undefined && lastPushedAt > Date.parse(change.changedAt);
}

/** A change pushed to the tool, and by which run. */
export interface PushedChange extends StageChange {
  runId: string;
}

export type Settlement =
  /** Pushed before: by this very run (a page retried after a crash: counted as pushed, once) or an earlier one. */
  { kind: 'pushed-before'; byThisRun: boolean } | { kind: 'superseded' } | ChangeDecision;

/**
 * What becomes of one stage change of an application, given what was pushed for it: pushed before, superseded by a
 * later pushed change, held (its stage is unmapped), or pushed now with its status.
 */
export function settle(
  change: StageChange,
  pushed: PushedChange[],
  runId: string,
  mapping: StageMapping,
  stageName: (id: string) => string | undefined,
): Settlement {
  const at = Date.parse(change.changedAt);
  const before = pushed.find((p) => p.stageId === change.stageId && Date.parse(p.changedAt) === at);
  if (before) return { kind: 'pushed-before', byThisRun: before.runId === runId };
  const lastPushedAt = pushed.length ? Math.max(...pushed.map((p) => Date.parse(p.changedAt))) : undefined;
  if (isSuperseded(change, lastPushedAt)) return { kind: 'superseded' };
  return decideChange(change, mapping, stageName);
}

/** What a run counts. `read`: stage changes read from the ATS in the window; every change lands in one other bucket. */
export interface RunCounts {
  /** Applications of the tool's candidates looked at (created after the enablement). */
  applications: number;
  read: number;
  pushed: number;
  /** Already pushed by an earlier run, or superseded by a later change. */
  unchanged: number;
  /** Into a stage without a mapping: held until it is mapped. */
  unmapped: number;
  failed: number;
  /** Applications left alone: made before the enablement, or not the tool's. */
  ignored: number;
}

export type RunBucket = Exclude<keyof RunCounts, 'applications' | 'read'>;

export interface RunTally {
  counts: RunCounts;
  /** Why, per bucket: e.g. `{unmapped: {'stage "Assessment" (9) is not mapped': 2}}`. */
  reasons: Partial<Record<RunBucket, Record<string, number>>>;
}

export const emptyTally = (): RunTally => ({
  counts: { applications: 0, read: 0, pushed: 0, unchanged: 0, unmapped: 0, failed: 0, ignored: 0 },
  reasons: {},
});

/** A tally being added up (an activity's page, or the workflow's whole run). */
export class RunTallier {
  private readonly t: RunTally;

  constructor(start: RunTally = emptyTally()) {
    this.t = JSON.parse(JSON.stringify(start));
  }

  application(): void {
    this.t.counts.applications += 1;
  }

  read(n = 1): void {
    this.t.counts.read += n;
  }

  add(bucket: RunBucket, reason?: string, n = 1): void {
    this.t.counts[bucket] += n;
    if (reason) this.because(bucket, reason, n);
  }

  merge(other: RunTally): void {
    for (const [key, n] of Object.entries(other.counts) as Array<[keyof RunCounts, number]>) this.t.counts[key] += n;
    for (const [bucket, reasons] of Object.entries(other.reasons) as Array<[RunBucket, Record<string, number>]>) {
      for (const [reason, n] of Object.entries(reasons)) this.because(bucket, reason, n);
    }
  }

  private because(bucket: RunBucket, reason: string, n: number): void {
    const reasons = this.t.reasons[bucket] ?? {};
    reasons[reason] = (reasons[reason] ?? 0) + n;
    this.t.reasons[bucket] = reasons;
  }

  result(): RunTally {
    return JSON.parse(JSON.stringify(this.t));
  }
}
