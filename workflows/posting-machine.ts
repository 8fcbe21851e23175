import type { PostingSnapshot, PostingState } from '../src/domain/posting';
import { WAKE_EARLY_MS } from '../src/domain/posting-timing';

export type CommandKind = 'amend' | 'repost' | 'unpost';
/** Commands a caller may hand over without waiting for them to be carried out. */
export const QUEUED_KINDS = ['amend', 'unpost'] as const satisfies CommandKind[];
export type QueuedKind = (typeof QUEUED_KINDS)[number];

/**
 * The lifetime counts from the board's answer (the activity's clock) when the workflow saw the posting live at most
 * this long after it; a workflow clock further off (time skipping in tests, a clock skewed from the worker's) counts
 * from when the workflow saw it. A lean run (below) counts from the answer however late it saw it, when the answer
 * came after it asked, give or take this much.
 */
const ANSWER_CLOSE_MS = 60_000;

export interface Command {
  id: number;
  kind: CommandKind;
  reason?: string;
  done: boolean;
  error?: string;
}

/**
 * Which commands each state accepts; anything else is rejected before it reaches history. A pending posting's
 * commands wait for the publish in flight and run once it is live (or fail with it). An unposted posting takes no
 * command: posting it again starts a new run (the service sets it pending).
 */
const ACCEPTS: Record<PostingState, CommandKind[]> = {
  pending: ['amend', 'unpost'],
  live: ['amend', 'repost', 'unpost'],
  expired: ['repost', 'unpost'],
  failed: ['repost', 'unpost'],
  unposted: [],
};

/** A posting's state and the rules for what happens next. Pure: unit-tested without Temporal. */
export class PostingMachine {
  /** Undefined until the run has read its posting; commands that arrive before are checked once it has. */
  private snapshot?: PostingSnapshot;
  /** The state a run assumes until it has read its posting (one started to post it: pending). */
  private assumed?: PostingState;
  private readonly queue: Command[] = [];
  private nextId = 1;
  /** Set when this run has done a whole cycle (a repost), so the workflow continues as new. */
  cycleEnded = false;

  /**
   * When the current live posting went up, on the workflow's clock (the board's answer when that is close to it).
   * Due times count from it with the board's own lifetime (expiresAt − postedAt), so a skew between the board's
   * clock and ours cannot make a posting look expired the moment it is reposted.
   */
  liveSince?: number;

  /**
   * @param lean the run was recorded with the workflow's `lean-run` patch (or continued from one): its lifetime counts
   * from the board's answer whenever that came after the activity was asked for, not only within a minute of it.
   */
  constructor(
    liveSince?: number,
    readonly lean = false,
  ) {
    this.liveSince = liveSince;
  }

  /** The posting as read at the start of the run. */
  load(snapshot: PostingSnapshot): void {
    this.snapshot = snapshot;
    this.liveSince ??= snapshot.postedAt ? Date.parse(snapshot.postedAt) : undefined;
  }

  get state(): PostingState {
    return this.current.state;
  }

  get current(): Readonly<PostingSnapshot> {
    if (!this.snapshot) throw new Error('the posting has not been read yet');
    return this.snapshot;
  }

  /** What the status query shows, also before the posting has been read. */
  get status(): Readonly<PostingSnapshot> | { state: 'loading' } {
    return this.snapshot ?? { state: 'loading' };
  }

  /**
   * `askedAt`: when the workflow asked for the activity that answered `snapshot` (a lean run's lifetime counts from
   * it); `answeredBy`: the latest the board's answer can have come, on the activity's clock (by default `now`).
   */
  update(snapshot: PostingSnapshot, now: number, askedAt?: number, answeredBy = now): void {
    const since = this.lean && askedAt !== undefined ? askedAt : now;
    if (snapshot.postedAt !== this.snapshot?.postedAt)
      this.liveSince = liveSinceOf(snapshot.postedAt, now, since - ANSWER_CLOSE_MS, answeredBy);
    this.snapshot = snapshot;
  }

  /**
   * The answer of a local activity asked for at `askedAt` to act at `actAt` (it waited for it). The workflow's clock as
   * the answer comes back can read a little before the board stamped it (3 ms in a test run), and the next due time
   * would then count from the workflow's clock: the board's answer counts when it came up to a minute after `actAt`.
   */
  updateAfterWaiting(snapshot: PostingSnapshot, askedAt: number, actAt: number): void {
    this.update(snapshot, actAt, askedAt, actAt + ANSWER_CLOSE_MS);
  }

  /** Until the posting is read, commands are checked as for a posting in this state. */
  assume(state: PostingState): void {
    this.assumed = state;
  }

  /** Throws the reason when the command makes no sense now (the update validator; rechecked when it runs). */
  validate(kind: CommandKind): void {
    if (!this.snapshot && !this.assumed) return;
    const queued = this.queue.some((c) => !c.done && c.kind === 'unpost');
    if (queued) throw new Error('the posting is being unposted');
    this.check(kind);
  }

  check(kind: CommandKind): void {
    const state = this.snapshot?.state ?? this.assumed ?? this.state;
    if (!ACCEPTS[state].includes(kind)) throw new Error(`cannot ${kind} a posting that is ${state}`);
  }

  enqueue(kind: CommandKind, reason?: string): Command {
    const command: Command = { id: this.nextId++, kind, reason, done: false };
    this.queue.push(command);
    return command;
  }

  get hasCommand(): boolean {
    return this.queue.some((c) => !c.done);
  }

  nextCommand(): Command | undefined {
    return this.queue.find((c) => !c.done);
  }

  finish(command: Command, error?: string): void {
    command.done = true;
    command.error = error;
    const i = this.queue.indexOf(command);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** When the posting next needs attention: the repost lead time before expiry when auto-repost is on, else expiry. */
  dueAt(): number | undefined {
    const expiresAt = this.expiresAt();
    if (this.state !== 'live' || expiresAt === undefined) return undefined;
    const { autoRepost, jobOpen, repostLeadMs } = this.current;
    return autoRepost && jobOpen ? expiresAt - repostLeadMs : expiresAt;
  }

  /** The board's expiry on the workflow's clock. */
  private expiresAt(): number | undefined {
    const { postedAt, expiresAt } = this.current;
    if (!expiresAt) return undefined;
    if (!postedAt || this.liveSince === undefined) return Date.parse(expiresAt);
    return this.liveSince + (Date.parse(expiresAt) - Date.parse(postedAt));
  }

  msUntilDue(now: number): number {
    const due = this.dueAt();
    return due === undefined ? 0 : Math.max(0, due - now);
  }

  /** How long to sleep: until `WAKE_EARLY_MS` before the due time, or, that close, until it. */
  msUntilWake(now: number): number {
    const rest = this.msUntilDue(now);
    return rest > WAKE_EARLY_MS ? rest - WAKE_EARLY_MS : rest;
  }

  /** At the due time: repost if auto-repost is on and the job is open, expire once the board's expiry has passed, else wait on. */
  decideWhenDue(now: number): 'repost' | 'expire' | 'wait' {
    if (this.current.autoRepost && this.current.jobOpen) return 'repost';
    return this.isPastExpiry(now) ? 'expire' : 'wait';
  }

  /** Whether the board's expiry has passed on the workflow's clock. */
  isPastExpiry(now: number): boolean {
    return now >= (this.expiresAt() ?? now);
  }

  get isLive(): boolean {
    return this.state === 'live';
  }
}

/** The board's answer (`postedAt`, read on the activity's clock) when it falls between `from` and `to`; else `now`. */
function liveSinceOf(postedAt: string | undefined, now: number, from: number, to: number): number {
  const answered = postedAt ? Date.parse(postedAt) : Number.NaN;
  return from <= answered && answered <= to ? answered : now;
}
