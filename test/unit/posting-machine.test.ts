import type { PostingSnapshot } from '../../src/domain/posting';
import { WAKE_EARLY_MS } from '../../src/domain/posting-timing';
import { PostingMachine } from '../../workflows/posting-machine';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function live(overrides: Partial<PostingSnapshot> = {}): PostingSnapshot {
  return {
    postingId: 'post_1',
    jobId: 'job_1',
    board: 'cv-library',
    state: 'live',
    externalId: '100',
    postedAt: new Date(T0).toISOString(),
    expiresAt: new Date(T0 + 28 * DAY).toISOString(),
    repostCount: 0,
    autoRepost: false,
    repostLeadMs: 2 * DAY,
    jobOpen: true,
    ...overrides,
  };
}

function machine(snapshot: PostingSnapshot, liveSince?: number) {
  const m = new PostingMachine(liveSince);
  m.load(snapshot);
  return m;
}

describe('PostingMachine', () => {
  it('is due at expiry without auto-repost, and at expiry minus the lead time with it', () => {
    expect(machine(live()).dueAt()).toBe(T0 + 28 * DAY);
    expect(machine(live({ autoRepost: true })).dueAt()).toBe(T0 + 26 * DAY);
    expect(machine(live({ autoRepost: true, jobOpen: false })).dueAt()).toBe(T0 + 28 * DAY);
  });

  it('counts the board’s lifetime from when the workflow saw the posting go live, whatever the board’s clock says', () => {
    const skewed = live({ postedAt: '2026-01-01T00:05:00Z', expiresAt: new Date(T0 + 5 * 60_000 + 28 * DAY).toISOString() });
    expect(machine(skewed, T0).dueAt()).toBe(T0 + 28 * DAY);
  });

  it('reposts when due with auto-repost on an open job, expires once the expiry has passed, else waits', () => {
    expect(machine(live({ autoRepost: true })).decideWhenDue(T0 + 26 * DAY)).toBe('repost');
    expect(machine(live()).decideWhenDue(T0 + 28 * DAY)).toBe('expire');
    expect(machine(live({ autoRepost: false })).decideWhenDue(T0 + 26 * DAY)).toBe('wait');
    expect(machine(live({ autoRepost: true, jobOpen: false })).decideWhenDue(T0 + 28 * DAY)).toBe('expire');
  });

  it('accepts only the commands that make sense in each state', () => {
    expect(() => machine(live()).validate('amend')).not.toThrow();
    expect(() => machine(live({ state: 'expired' })).validate('amend')).toThrow('cannot amend a posting that is expired');
    expect(() => machine(live({ state: 'expired' })).validate('repost')).not.toThrow();
    expect(() => machine(live({ state: 'unposted' })).validate('unpost')).toThrow('cannot unpost a posting that is unposted');
    expect(() => machine(live({ state: 'pending' })).validate('repost')).toThrow('cannot repost a posting that is pending');
    expect(() => machine(live({ state: 'pending' })).validate('amend')).not.toThrow();
    expect(() => machine(live({ state: 'pending' })).validate('unpost')).not.toThrow();
  });

  it('refuses further commands while an unpost is queued, and queues commands that arrive before the posting is read', () => {
    const m = machine(live());
    m.enqueue('unpost');
    expect(() => m.validate('amend')).toThrow('the posting is being unposted');

    const early = new PostingMachine();
    expect(() => early.validate('repost')).not.toThrow();
    const command = early.enqueue('repost');
    expect(early.status).toEqual({ state: 'loading' });
    early.load(live({ state: 'unposted' }));
    expect(() => early.check(command.kind)).toThrow('cannot repost a posting that is unposted');
  });

  it('takes commands in order and forgets finished ones', () => {
    const m = machine(live());
    const a = m.enqueue('amend');
    const b = m.enqueue('repost');
    expect(m.nextCommand()).toBe(a);
    m.finish(a);
    expect(m.nextCommand()).toBe(b);
    m.finish(b, 'board said no');
    expect(b).toMatchObject({ done: true, error: 'board said no' });
    expect(m.hasCommand).toBe(false);
  });

  it('checks commands as for a pending posting while a run started to post it reads and posts it, then as the posting is', () => {
    const m = new PostingMachine();
    m.assume('pending');
    expect(() => m.validate('repost')).toThrow('cannot repost a posting that is pending');
    expect(() => m.validate('amend')).not.toThrow();
    expect(() => m.validate('unpost')).not.toThrow();
    m.update(live(), T0 + 1000); // the workflow saw it live a second after the board took it
    expect(() => m.validate('repost')).not.toThrow();
    expect(m.dueAt()).toBe(T0 + 28 * DAY); // the board's lifetime from its answer
  });

  it('counts the lifetime from the board’s answer when the workflow saw it soon after, else from the workflow’s clock', () => {
    const seenAt = (now: number) => {
      const m = new PostingMachine();
      m.load(live({ state: 'pending', postedAt: undefined, expiresAt: undefined }));
      m.update(live(), now);
      return m.dueAt();
    };
    expect(seenAt(T0 + 30_000)).toBe(T0 + 28 * DAY); // a busy worker took 30 s to see the answer
    expect(seenAt(T0 + 2 * DAY)).toBe(T0 + 30 * DAY); // a skipped (test) or skewed workflow clock
    expect(seenAt(T0 - 3_000)).toBe(T0 - 3_000 + 28 * DAY); // an answer stamped after the workflow's now
  });

  it('in a lean run counts the lifetime from the board’s answer however late the workflow saw it, when it came after the workflow asked', () => {
    const seenAt = (askedAt: number, now: number) => {
      const m = new PostingMachine(undefined, true);
      m.assume('pending');
      m.update(live(), now, askedAt);
      return m.dueAt();
    };
    expect(seenAt(T0 - 500, T0 + 5 * 60_000)).toBe(T0 + 28 * DAY); // the worker took 5 minutes to see the answer
    expect(seenAt(T0 - 500, T0 + 2 * DAY)).toBe(T0 + 28 * DAY); // or 2 days
    expect(seenAt(T0 + 2 * DAY, T0 + 2 * DAY + 500)).toBe(T0 + 30 * DAY + 500); // a skipped (test) or skewed workflow clock
    expect(seenAt(T0 - 3_500, T0 - 3_000)).toBe(T0 - 3_000 + 28 * DAY); // an answer stamped after the workflow's now
  });

  it('after waiting for the due time in a local activity, counts the lifetime from the board’s answer, though it came after the workflow’s clock', () => {
    const reposted = live({
      repostCount: 1,
      postedAt: new Date(T0 + 30).toISOString(),
      expiresAt: new Date(T0 + 30 + 28 * DAY).toISOString(),
    });
    const settled = (askedAt: number, actAt: number) => {
      const m = machine(live({ postedAt: new Date(T0 - 28 * DAY).toISOString(), expiresAt: new Date(T0).toISOString() }), T0 - 28 * DAY);
      m.updateAfterWaiting(reposted, askedAt, actAt);
      return m.dueAt();
    };
    // Woken 5 s early, the board answered 30 ms after the due time, later than any clock the workflow read.
    expect(settled(T0 - WAKE_EARLY_MS, T0)).toBe(T0 + 30 + 28 * DAY);
    // A board clock far from the workflow's (time skipping): the lifetime counts from when it acted.
    expect(settled(T0 + 5 * DAY - WAKE_EARLY_MS, T0 + 5 * DAY)).toBe(T0 + 5 * DAY + 28 * DAY);
  });
  it('is past the board’s expiry on the workflow’s clock only from the expiry on', () => {
    const m = machine(live({ autoRepost: true }));
    expect(m.isPastExpiry(T0 + 26 * DAY)).toBe(false);
    expect(m.isPastExpiry(T0 + 28 * DAY)).toBe(true);
  });

  it('wakes a few seconds before its due time, then sleeps the rest, and does nothing early', () => {
    const m = machine(live());
    const due = T0 + 28 * DAY;
    expect(m.msUntilWake(T0)).toBe(28 * DAY - WAKE_EARLY_MS);
    // The early wake came 300 ms late: the rest is waited out in full, not acted on.
    const woken = due - WAKE_EARLY_MS + 300;
    expect(m.msUntilDue(woken)).toBe(WAKE_EARLY_MS - 300);
    expect(m.msUntilWake(woken)).toBe(WAKE_EARLY_MS - 300);
    expect(m.msUntilWake(due)).toBe(0);
    expect(m.msUntilWake(due + 50)).toBe(0);
  });
});
