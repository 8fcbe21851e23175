import { cursorAfterPage } from './cursor';
import type { ConnectorStatus, StreamStatus } from './status';
import type {
  ConnectorPlan,
  ConnectorState,
  PageRequest,
  PageResult,
  RecordCounts,
  RunMode,
  StreamCursor,
  StreamPlan,
  SweepPlan,
} from './types';

// The connector sync loop's state and rules, free of Temporal so it can be unit-tested and carried across
// continue-as-new as a plain snapshot. Times are ms since the epoch (the workflow's deterministic clock).

interface RunCounters extends RecordCounts {
  pages: number;
  requests: number;
  skippedReasons: Record<string, number>;
  /** Created or updated by a sweep: what the incremental runs had missed. */
  repaired?: number;
  notes?: Record<string, number>;
  mode?: RunMode;
}

/** A run asked for besides the stream's interval: a sweep's, or a resync from a date. */
interface QueuedRun {
  stream: string;
  mode: 'sweep' | 'resync';
  since?: number;
}

interface SweepSnapshot {
  plan: SweepPlan;
  /** Unset: to be worked out (after the plan changed, or a sweep finished). */
  nextAt?: number;
  running: boolean;
  lastStartedAt?: number;
  lastFinishedAt?: number;
  current: { repaired: number; deleted: number };
  totals: { runs: number; repaired: number; deleted: number };
}

export interface StreamSnapshot {
  plan: StreamPlan;
  cursor: StreamCursor;
  nextRunAt: number;
  lastStartedAt?: number;
  lastFinishedAt?: number;
  current: RunCounters;
  backfill?: { done: number; total?: number; finished: boolean };
  totals: { created: number; updated: number; runs: number; repaired?: number; deleted?: number };
  /** The run stopped on this failure and waits (for its next interval, or for a person); unset once it goes on. */
  failure?: { message: string; at: number };
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
  /** Absent in snapshots made before sweeps and resyncs existed. */
  queued?: QueuedRun[];
  sweep?: SweepSnapshot;
}

const emptyRun = (mode?: RunMode): RunCounters => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  skipped: 0,
  deleted: 0,
  repaired: 0,
  pages: 0,
  requests: 0,
  skippedReasons: {},
  ...(mode ? { mode } : {}),
});

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
  /** The streams that run (those off for these settings and credentials left out). */
  private get onStreams(): string[] {
    return this.streamNames.filter((n) => !this.s.streams[n].plan.off);
  }
  private get queued(): QueuedRun[] {
    this.s.queued ??= [];
    return this.s.queued;
  }
  /** Configured from a snapshot made before sweeps existed: the plan is loaded again to learn its sweep. */
  get lacksSweepPlan(): boolean {
    return this.configured && this.s.sweep === undefined;
  }
  get sweepPlan(): SweepPlan | undefined {
    return this.s.sweep?.plan;
  }
  /** A sweep is planned, but when it next runs is not worked out yet. */
  get sweepUnscheduled(): boolean {
    const sw = this.s.sweep;
    return this.isActive && !!sw?.plan.enabled && !sw.running && sw.nextAt === undefined;
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
      if (cursor.highWater === undefined && cursor.run === undefined && fromNow) cursor = { highWater: now, coversFrom: now };
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
    this.s.queued = this.queued.filter((q) => q.stream in streams);
    if (plan.sweep) this.configureSweep(plan.sweep);
  }

  private configureSweep(plan: SweepPlan): void {
    const sw = this.s.sweep;
    if (!sw) {
      this.s.sweep = { plan, running: false, current: { repaired: 0, deleted: 0 }, totals: { runs: 0, repaired: 0, deleted: 0 } };
      return;
    }
    if (JSON.stringify(sw.plan) !== JSON.stringify(plan)) sw.nextAt = undefined;
    sw.plan = plan;
  }

  /** When the next sweep starts (worked out by an activity from the plan's time of day and zone). */
  scheduleSweep(at: number): void {
    if (this.s.sweep) this.s.sweep.nextAt = at;
  }

  /** Starts the sweep when its time has come: one sweep run per stream that runs, in order. */
  beginSweepIfDue(now: number): void {
    const sw = this.s.sweep;
    if (!this.isActive || !sw?.plan.enabled || sw.running || sw.nextAt === undefined || sw.nextAt > now) return;
    this.beginSweep(now);
  }

  /** Why a sweep cannot start now, or undefined when it can. */
  refuseSweep(stream?: string): string | undefined {
    if (this.s.sweep?.running) return 'a sweep is already running';
    return this.refuseRun(stream);
  }

  /** A sweep now, of one stream or all (an operator's request), whatever the schedule. */
  requestSweep(now: number, stream?: string): void {
    this.beginSweep(now, stream);
  }

  private beginSweep(now: number, only?: string): void {
    this.s.sweep ??= {
      plan: { enabled: false, timeOfDay: '03:00', timeZone: 'UTC' },
      running: false,
      current: { repaired: 0, deleted: 0 },
      totals: { runs: 0, repaired: 0, deleted: 0 },
    };
    const sw = this.s.sweep;
    sw.running = true;
    sw.lastStartedAt = now;
    sw.current = { repaired: 0, deleted: 0 };
    for (const stream of only ? [only] : this.onStreams) this.queued.push({ stream, mode: 'sweep' });
  }

  /** Why a resync cannot be taken, or undefined when it can. */
  refuseResync(since: number, now: number, stream?: string): string | undefined {
    if (!Number.isFinite(since)) return 'since must be a date';
    if (since > now) return 'since must not be in the future';
    return this.refuseRun(stream);
  }

  /** Reads the stream (or every stream) again from `since`, writing each record in place; deletes nothing. */
  requestResync(since: number, stream?: string): void {
    for (const name of stream ? [stream] : this.onStreams) this.queued.push({ stream: name, mode: 'resync', since });
  }

  requestSync(stream?: string): void {
    for (const name of stream ? [stream] : this.onStreams) if (!this.s.requested.includes(name)) this.s.requested.push(name);
  }

  /** Why a `syncNow` cannot be taken, or undefined when it can. */
  refuseSync(stream?: string): string | undefined {
    return this.refuseRun(stream);
  }

  private refuseRun(stream?: string): string | undefined {
    if (stream && !(stream in this.s.streams)) return `no stream "${stream}" (streams: ${this.streamNames.join(', ')})`;
    const off = stream ? this.s.streams[stream].plan.off : undefined;
    if (off) return `stream "${stream}" is off: ${off}`;
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

  /**
   * The next stream to run now: one with an unfinished run, one with a queued run (sweep, resync), one asked for,
   * or one whose interval is up. Streams that are off never run.
   */
  dueStream(now: number): string | undefined {
    if (!this.isActive) return undefined;
    const names = this.onStreams;
    const due = (n: string) => this.s.streams[n].nextRunAt <= now;
    return (
      names.find((n) => this.s.streams[n].cursor.run && due(n)) ??
      this.queued.find((q) => names.includes(q.stream) && !this.s.streams[q.stream].cursor.run)?.stream ??
      names.find((n) => this.s.requested.includes(n)) ??
      names.find(due)
    );
  }

  hasWork(now: number): boolean {
    const sw = this.s.sweep;
    const sweepDue = this.isActive && !!sw?.plan.enabled && !sw.running && sw.nextAt !== undefined && sw.nextAt <= now;
    return this.s.reconfigurePending || this.s.stateDirty || this.sweepUnscheduled || sweepDue || this.dueStream(now) !== undefined;
  }

  /** How long to sleep before a stream (or the sweep) is due; undefined = until a command arrives (paused, failing). */
  msUntilNextDue(now: number): number | undefined {
    if (!this.isActive) return undefined;
    const times = this.onStreams.map((n) => this.s.streams[n].nextRunAt);
    const sw = this.s.sweep;
    if (sw?.plan.enabled && !sw.running && sw.nextAt !== undefined) times.push(sw.nextAt);
    const next = Math.min(...times);
    return Number.isFinite(next) ? Math.max(0, next - now) : undefined;
  }

  /**
   * Starts a run of the stream (its first queued one, else its next one), or picks up the one that was interrupted
   * (pause, failure, crash). A run reads the changes since the high-water mark, or the whole list from the start
   * date: a backfill, or a rescan when the stream's rules differ from those its list was last read under. A sweep
   * reads everything the stream covers; a resync from its date.
   */
  startRun(name: string, now: number): void {
    const st = this.stream(name);
    this.s.requested = this.s.requested.filter((n) => n !== name);
    st.failure = undefined;
    if (st.cursor.run) return;
    const queued = this.queued.find((q) => q.stream === name);
    if (queued) this.s.queued = this.queued.filter((q) => q !== queued);
    const { highWater, startAt, coversFrom } = st.cursor;
    const { rules } = st.plan;
    st.lastStartedAt = now;
    if (queued) {
      const covered = startAt ?? (st.plan.withoutStartAt === 'everything' ? undefined : (coversFrom ?? highWater));
      st.cursor.run = { since: queued.mode === 'resync' ? queued.since : covered, until: now, backfill: false, mode: queued.mode };
      st.current = emptyRun(queued.mode);
      return;
    }
    const backfill = highWater === undefined;
    const wholeList = backfill || (rules !== undefined && st.cursor.rules !== rules);
    st.cursor.run = {
      since: wholeList ? startAt : Math.max(0, highWater - st.plan.overlapMs),
      until: now,
      backfill,
      ...(wholeList && rules !== undefined && { rules }),
    };
    st.current = emptyRun();
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
      ...(st.cursor.coversFrom !== undefined && { coversFrom: st.cursor.coversFrom }),
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
    c.pages += page.pages ?? 1;
    c.requests += page.requests;
    for (const [reason, n] of Object.entries(page.skippedReasons)) c.skippedReasons[reason] = (c.skippedReasons[reason] ?? 0) + n;
    for (const [note, n] of Object.entries(page.notes ?? {})) c.notes = { ...c.notes, [note]: (c.notes?.[note] ?? 0) + n };
    st.totals.created += page.counts.created;
    st.totals.updated += page.counts.updated;
    const deleted = page.counts.deleted ?? 0;
    const sweeping = st.cursor.run?.mode === 'sweep';
    const repaired = sweeping ? page.counts.created + page.counts.updated : 0;
    if (deleted || repaired) {
      c.deleted = (c.deleted ?? 0) + deleted;
      c.repaired = (c.repaired ?? 0) + repaired;
      st.totals.deleted = (st.totals.deleted ?? 0) + deleted;
      st.totals.repaired = (st.totals.repaired ?? 0) + repaired;
      if (sweeping && this.s.sweep) {
        this.s.sweep.current.deleted += deleted;
        this.s.sweep.current.repaired += repaired;
        this.s.sweep.totals.deleted += deleted;
        this.s.sweep.totals.repaired += repaired;
      }
    }
    if (st.backfill && !st.backfill.finished) {
      const { created, updated, unchanged, skipped } = page.counts;
      st.backfill.done += created + updated + unchanged + skipped;
      if (page.total !== undefined) st.backfill.total = page.total;
    }
    const run = st.cursor.run;
    if (!run) return;
    st.cursor = cursorAfterPage(this.pageRequest(name), page);
    if (page.next) return;
    if (run.mode === 'sweep') this.sweepRunFinished(now);
    st.lastFinishedAt = now;
    st.nextRunAt = now + st.plan.intervalMs;
    st.totals.runs += 1;
    if (st.backfill) st.backfill.finished = true;
    if (this.s.lastError?.stream === name) this.s.lastError = undefined;
    this.runsThisExecution += 1;
  }

  /** A stream's sweep run is done: the sweep is done once no stream has one queued or under way. */
  private sweepRunFinished(now: number): void {
    const sw = this.s.sweep;
    const left = this.queued.some((q) => q.mode === 'sweep') || Object.values(this.s.streams).some((st) => st.cursor.run?.mode === 'sweep');
    if (!sw || left) return;
    sw.running = false;
    sw.lastFinishedAt = now;
    sw.totals.runs += 1;
    sw.nextAt = undefined;
  }

  /**
   * A page failed after its retries. `needsPerson` (bad key, missing permission, rejected settings) stops the
   * connector as `failing` until reconfigure/resume; anything else is retried at the stream's next interval.
   * Either way the run keeps its position and continues from the page that failed.
   */
  pageFailed(name: string, message: string, needsPerson: boolean, now: number): void {
    this.s.lastError = { message, stream: name, at: now };
    this.stream(name).failure = { message, at: now };
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
      const { pages, requests, skippedReasons, notes, mode, deleted, repaired, ...counts } = st.current;
      const off = st.plan.off;
      // Under way only while the loop works on it: not while it waits after a failure, nor while paused or failing.
      const running = st.cursor.run !== undefined && this.isActive && !st.failure;
      const failure = st.failure && {
        message: st.failure.message,
        at: iso(st.failure.at) as string,
        ...(this.isActive && { retryAt: iso(st.nextRunAt) }),
      };
      streams[name] = {
        intervalMinutes: st.plan.intervalMs / 60_000,
        ...(off ? { off } : {}),
        running,
        ...(failure && { failure }),
        mode: st.cursor.run?.mode ?? mode ?? 'incremental',
        lastStartedAt: iso(st.lastStartedAt),
        lastFinishedAt: iso(st.lastFinishedAt),
        ...counts,
        deleted: deleted ?? 0,
        repaired: repaired ?? 0,
        skippedReasons: { ...skippedReasons },
        notes: { ...notes },
        pages,
        requests,
        nextRunAt: this.isActive && !off ? iso(running ? st.lastStartedAt : st.nextRunAt) : undefined,
        cursor: iso(st.cursor.highWater),
        backfill: st.backfill ? { ...st.backfill } : undefined,
        queued: this.queued.filter((q) => q.stream === name).map((q) => q.mode),
        totals: { ...st.totals },
      };
    }
    const e = this.s.lastError;
    const sw = this.s.sweep;
    const sweep = sw && {
      ...sw.plan,
      running: sw.running,
      nextAt: this.isActive && sw.plan.enabled && !sw.running ? iso(sw.nextAt) : undefined,
      lastStartedAt: iso(sw.lastStartedAt),
      lastFinishedAt: iso(sw.lastFinishedAt),
      ...sw.current,
      totals: { ...sw.totals },
    };
    return {
      state: this.s.state,
      streams,
      ...(sweep ? { sweep } : {}),
      lastError: e ? { message: e.message, stream: e.stream, at: iso(e.at) as string } : undefined,
    };
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
