import type { PostingSnapshot, PostingState } from '../src/domain/posting';

export type CommandKind = 'amend' | 'repost' | 'unpost';

export interface Command {
  id: number;
  kind: CommandKind;
  reason?: string;
  done: boolean;
  error?: string;
}

/** Which commands each state accepts; anything else is rejected before it reaches history. */
const ACCEPTS: Record<PostingState, CommandKind[]> = {
  pending: ['unpost'],
  live: ['amend', 'repost', 'unpost'],
  expired: ['repost', 'unpost'],
  failed: ['repost', 'unpost'],
  unposted: [],
};

/** A posting's state and the rules for what happens next. Pure: unit-tested without Temporal. */
export class PostingMachine {
  private snapshot: PostingSnapshot;
  private readonly queue: Command[] = [];
  private nextId = 1;
  /** Set when this run has done a whole cycle (a repost), so the workflow continues as new. */
  cycleEnded = false;

  constructor(snapshot: PostingSnapshot) {
    this.snapshot = snapshot;
  }

  get state(): PostingState {
    return this.snapshot.state;
  }

  get current(): Readonly<PostingSnapshot> {
    return this.snapshot;
  }

  update(snapshot: PostingSnapshot): void {
    this.snapshot = snapshot;
  }

  /** Throws the reason when the command makes no sense now (used as the update validator). */
  validate(kind: CommandKind): void {
    const queued = this.queue.some((c) => !c.done && c.kind === 'unpost');
    if (queued) throw new Error('the posting is being unposted');
    if (!ACCEPTS[this.state].includes(kind)) throw new Error(`cannot ${kind} a posting that is ${this.state}`);
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
    if (this.state !== 'live' || !this.snapshot.expiresAt) return undefined;
    const expiresAt = Date.parse(this.snapshot.expiresAt);
    return this.snapshot.autoRepost && this.snapshot.jobOpen ? expiresAt - this.snapshot.repostLeadMs : expiresAt;
  }

  msUntilDue(now: number): number {
    const due = this.dueAt();
    return due === undefined ? 0 : Math.max(0, due - now);
  }

  /** At the due time: repost if auto-repost is on and the job is open, expire once the board's expiry has passed, else wait on. */
  decideWhenDue(now: number): 'repost' | 'expire' | 'wait' {
    if (this.snapshot.autoRepost && this.snapshot.jobOpen) return 'repost';
    const expiresAt = this.snapshot.expiresAt ? Date.parse(this.snapshot.expiresAt) : now;
    return now >= expiresAt ? 'expire' : 'wait';
  }

  get isLive(): boolean {
    return this.state === 'live';
  }
}
