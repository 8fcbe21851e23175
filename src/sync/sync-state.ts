import { cursorAfterPage } from './cursor';
import type { ConnectorStatus, StreamStatus } from './status';
import type { ConnectorPlan, ConnectorState, PageRequest, PageResult, RecordCounts, StreamCursor, StreamPlan } from './types';

// The connector sync loop's state and rules, free of Temporal so it can be unit-tested and carried across
// continue-as-new as a plain snapshot. Times are ms since the epoch (the workflow's deterministic clock).

interface RunCounters extends RecordCounts {
  pages: number;
  requests: number;
  skippedReasons: Record<string, number>;
}

export interface StreamSnapshot {
  plan: StreamPlan;
  cursor: StreamCursor;
  nextRunAt: number;
  lastStartedAt?: number;
  lastFinishedAt?: number;
  current: RunCounters;
  backfill?: { done: number; total?: number; finished: boolean };
  totals: { created: number; updated: number; runs: number };
}

export interface SyncSnapshot {
  connectorId: string;
  provider?: string;
  state: ConnectorState;
  lastError?: { message: string; stream?: string; at: number };
  streams: Record<string, StreamSnapshot>;
  requested: string[];
  reconfigurePending: boolean;
  stateDirty: boolean;
}

const emptyRun = (): RunCounters => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, pages: 0, requests: 0, skippedReasons: {} });

export class SyncState {
  private s: SyncSnapshot;
  /** Runs finished by this workflow execution (bounds history together with continueAsNewSuggested). */
  runsThisExecution = 0;

  constructor(connectorId: string, snapshot?: SyncSnapshot) {
    this.s = snapshot ?? { connectorId, state: 'active', streams: {}, requested: [], reconfigurePending: false, stateDirty: false };
  }

  get connectorId(): string {
    return this.s.connectorId;
  }
  get provider(): string | undefined {
    return this.s.provider;
  }
  get configured(): boolean {
    return this.s.provider !== undefined;
  }
  get state(): ConnectorState {
    return this.s.state;
  }
  get isActive(): boolean {
    return this.s.state === 'active';
  }
  get reconfigurePending(): boolean {
    return this.s.reconfigurePending;
  }
  /** The state changed since it was last written to the store. */
  get stateDirty(): boolean {
    return this.s.stateDirty;
  }
  get lastErrorMessage(): string | undefined {
    return this.s.lastError?.message;
  }
  get streamNames(): string[] {
    return Object.keys(this.s.streams);
  }

  /** Applies the connector's plan: first start, or after `reconfigure`. Keeps cursors unless a start date moved. */
  configure(plan: ConnectorPlan, now: number): void {
    const first = !this.configured;
    this.s.provider = plan.provider;
    // The stored state applies on a first start, unless a command (pause, resume) already came in meanwhile.
    if (first && !this.s.stateDirty) {
      this.s.state = plan.state;
      if (plan.lastError) this.s.lastError = { message: plan.lastError, at: now };
    }
    const streams: Record<string, StreamSnapshot> = {};
    for (const p of plan.streams) {
      const existing = this.s.streams[p.name];
      let cursor: StreamCursor = existing?.cursor ?? plan.cursors[p.name] ?? {};
      const hasHistory = cursor.highWater !== undefined || cursor.run !== undefined;
      if (p.startAt !== undefined && hasHistory && cursor.startAt !== p.startAt) cursor = {}; // a new start date: backfill again
      const fromNow = p.startAt === undefined && p.withoutStartAt !== 'everything';
      if (cursor.highWater === undefined && cursor.run === undefined && fromNow) cursor = { highWater: now };
      cursor = { ...cursor, startAt: p.startAt };
      const intervalChanged = existing && existing.plan.intervalMs !== p.intervalMs;
      streams[p.name] = {
        ...existing,
        current: existing?.current ?? emptyRun(),
        totals: existing?.totals ?? { created: 0, updated: 0, runs: 0 },
        plan: p,
        cursor,
        nextRunAt: !existing ? now : intervalChanged ? (existing.lastFinishedAt ?? now) + p.intervalMs : existing.nextRunAt,
      };
    }
    this.s.streams = streams;
    this.s.requested = this.s.requested.filter((n) => n in streams);
  }

  requestSync(stream?: string): void {
    for (const name of stream ? [stream] : this.streamNames) if (!this.s.requested.includes(name)) this.s.requested.push(name);
  }

  /** Why a `syncNow` cannot be taken, or undefined when it can. */
  refuseSync(stream?: string): string | undefined {
    if (stream && !(stream in this.s.streams)) return `no stream "${stream}" (streams: ${this.streamNames.join(', ')})`;
    if (this.s.state === 'paused') return 'the connector is paused: resume it first';
    if (this.s.state === 'failing')
      return `the connector is failing (${this.s.lastError?.message ?? 'unknown error'}): reconfigure or resume it first`;
    return undefined;
  }

  pause(): void {
    this.setState('paused');
  }

  /** Back to active; from `failing` this retries the stopped run where it stopped. */
  resume(): void {
    this.setState('active');
  }

  requestReconfigure(): void {
    this.s.reconfigurePending = true;
  }

  /** The new plan is loaded: a failing connector (wrong key, missing permission) gets another go. */
  reconfigured(plan: ConnectorPlan, now: number): void {
    this.configure(plan, now);
    this.s.reconfigurePending = false;
    if (this.s.state === 'failing') this.setState('active');
  }

  markStatePersisted(): void {
    this.s.stateDirty = false;
  }

  /** The next stream to run now: one with an unfinished run, one asked for, or one whose interval is up. */
  dueStream(now: number): string | undefined {
    if (!this.isActive) return undefined;
    const names = this.streamNames;
    const due = (n: string) => this.s.streams[n].nextRunAt <= now;
    return names.find((n) => this.s.streams[n].cursor.run && due(n)) ?? names.find((n) => this.s.requested.includes(n)) ?? names.find(due);
  }

  hasWork(now: number): boolean {
    return this.s.reconfigurePending || this.s.stateDirty || this.dueStream(now) !== undefined;
  }

  /** How long to sleep before a stream is due; undefined = until a command arrives (paused, failing). */
  msUntilNextDue(now: number): number | undefined {
    if (!this.isActive) return undefined;
    const next = Math.min(...Object.values(this.s.streams).map((st) => st.nextRunAt));
    return Number.isFinite(next) ? Math.max(0, next - now) : undefined;
  }

  /**
   * Starts a run of the stream, or picks up the one that was interrupted (pause, failure, crash). A run reads the
   * changes since the high-water mark, or the whole list from the start date: a backfill, or a rescan when the
   * stream's rules differ from those its list was last read under.
   */
  startRun(name: string, now: number): void {
    const st = this.stream(name);
    this.s.requested = this.s.requested.filter((n) => n !== name);
    if (st.cursor.run) return;
    const { highWater, startAt } = st.cursor;
    const { rules } = st.plan;
    const backfill = highWater === undefined;
    const wholeList = backfill || (rules !== undefined && st.cursor.rules !== rules);
    st.cursor.run = {
      since: wholeList ? startAt : Math.max(0, highWater - st.plan.overlapMs),
      until: now,
      backfill,
      ...(wholeList && rules !== undefined && { rules }),
    };
    st.current = emptyRun();
    st.lastStartedAt = now;
    if (backfill) st.backfill = { done: 0, finished: false };
  }

  pageRequest(name: string): PageRequest {
    const st = this.stream(name);
    if (!st.cursor.run) throw new Error(`stream ${name} has no run in progress`);
    return {
      connectorId: this.s.connectorId,
      stream: name,
      position: st.cursor.run,
      highWater: st.cursor.highWater,
      startAt: st.cursor.startAt,
      ...(st.cursor.rules !== undefined && { rules: st.cursor.rules }),
    };
  }

  isRunning(name: string): boolean {
    return this.stream(name).cursor.run !== undefined;
  }

  /** Adds a page's counts; when it was the last page, the run ends and the high-water mark moves. */
  recordPage(name: string, page: PageResult, now: number): void {
    const st = this.stream(name);
    const c = st.current;
    c.created += page.counts.created;
    c.updated += page.counts.updated;
    c.unchanged += page.counts.unchanged;
    c.skipped += page.counts.skipped;
    c.pages += 1;
    c.requests += page.requests;
    for (const [reason, n] of Object.entries(page.skippedReasons)) c.skippedReasons[reason] = (c.skippedReasons[reason] ?? 0) + n;
    st.totals.created += page.counts.created;
    st.totals.updated += page.counts.updated;
    if (st.backfill && !st.backfill.finished) {
      const { created, updated, unchanged, skipped } = page.counts;
      st.backfill.done += created + updated + unchanged + skipped;
      if (page.total !== undefined) st.backfill.total = page.total;
    }
    if (!st.cursor.run) return;
    st.cursor = cursorAfterPage(this.pageRequest(name), page);
    if (page.next) return;
    st.lastFinishedAt = now;
    st.nextRunAt = now + st.plan.intervalMs;
    st.totals.runs += 1;
    if (st.backfill) st.backfill.finished = true;
    if (this.s.lastError?.stream === name) this.s.lastError = undefined;
    this.runsThisExecution += 1;
  }

  /**
   * A page failed after its retries. `needsPerson` (bad key, missing permission, rejected settings) stops the
   * connector as `failing` until reconfigure/resume; anything else is retried at the stream's next interval.
   * Either way the run keeps its position and continues from the page that failed.
   */
  pageFailed(name: string, message: string, needsPerson: boolean, now: number): void {
    this.s.lastError = { message, stream: name, at: now };
    if (needsPerson) this.setState('failing');
    else this.stream(name).nextRunAt = now + this.stream(name).plan.intervalMs;
  }

  /** The connector could not be planned (deleted, settings no longer valid): `failing` until reconfigured. */
  planFailed(message: string, now: number): void {
    this.s.lastError = { message, at: now };
    this.s.reconfigurePending = false;
    this.setState('failing');
  }

  status(): ConnectorStatus {
    const iso = (t?: number) => (t === undefined ? undefined : new Date(t).toISOString());
    const streams: Record<string, StreamStatus> = {};
    for (const [name, st] of Object.entries(this.s.streams)) {
      const { pages, requests, skippedReasons, ...counts } = st.current;
      streams[name] = {
        intervalMinutes: st.plan.intervalMs / 60_000,
        running: st.cursor.run !== undefined,
        lastStartedAt: iso(st.lastStartedAt),
        lastFinishedAt: iso(st.lastFinishedAt),
        ...counts,
        skippedReasons: { ...skippedReasons },
        pages,
        requests,
        nextRunAt: this.isActive ? iso(st.cursor.run ? st.lastStartedAt : st.nextRunAt) : undefined,
        cursor: iso(st.cursor.highWater),
        backfill: st.backfill ? { ...st.backfill } : undefined,
        totals: { ...st.totals },
      };
    }
    const e = this.s.lastError;
    return { state: this.s.state, streams, lastError: e ? { message: e.message, stream: e.stream, at: iso(e.at) as string } : undefined };
  }

  snapshot(): SyncSnapshot {
    return JSON.parse(JSON.stringify(this.s));
  }

  private setState(state: ConnectorState) {
    if (this.s.state !== state) {
      this.s.state = state;
      this.s.stateDirty = true;
    }
  }

  private stream(name: string): StreamSnapshot {
    const st = this.s.streams[name];
    if (!st) throw new Error(`unknown stream ${name}`);
    return st;
  }
}
