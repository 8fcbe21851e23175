import { SyncState } from '../../src/sync/sync-state';
import type { ConnectorPlan, PageResult } from '../../src/sync/types';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');

const plan = (overrides: Partial<ConnectorPlan> = {}): ConnectorPlan => ({
  connectorId: 'conn_1',
  provider: 'fake',
  state: 'active',
  streams: [
    { name: 'jobs', intervalMs: 15 * MIN, overlapMs: 5 * MIN },
    { name: 'candidates', intervalMs: 60 * MIN, startAt: Date.parse('2025-01-01T00:00:00Z'), overlapMs: 5 * MIN },
  ],
  cursors: {},
  ...overrides,
});

const page = (overrides: Partial<PageResult> = {}): PageResult => ({
  counts: { created: 2, updated: 0, unchanged: 0, skipped: 1 },
  skippedReasons: { 'no location': 1 },
  requests: 1,
  ...overrides,
});

describe('sync state', () => {
  it('reads only changes from now for a stream without a start date, and backfills one with a start date', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('jobs', T0);
    expect(s.pageRequest('jobs').position).toEqual({ since: T0 - 5 * MIN, until: T0, backfill: false });
    s.startRun('candidates', T0);
    expect(s.pageRequest('candidates').position).toEqual({ since: Date.parse('2025-01-01T00:00:00Z'), until: T0, backfill: true });
  });

  it('moves the high-water mark to the highest updatedAt seen, and starts the next run an overlap before it', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('candidates', T0);
    const first = s.pageRequest('candidates').position;
    s.recordPage('candidates', page({ next: { ...first, page: 'tok-2', maxSeen: T0 - 50 * MIN }, maxSeen: T0 - 50 * MIN }), T0 + 1000);
    expect(s.pageRequest('candidates').position.page).toBe('tok-2');
    s.recordPage('candidates', page({ maxSeen: T0 - 40 * MIN }), T0 + 2000);
    expect(s.isRunning('candidates')).toBe(false);
    const status = s.status().streams.candidates;
    expect(status).toMatchObject({
      created: 4,
      skipped: 2,
      pages: 2,
      cursor: new Date(T0 - 40 * MIN).toISOString(),
      backfill: { done: 6, finished: true },
    });
    expect(status.skippedReasons).toEqual({ 'no location': 2 });
    expect(status.nextRunAt).toBe(new Date(T0 + 2000 + 60 * MIN).toISOString());
    s.startRun('candidates', T0 + 60 * MIN);
    expect(s.pageRequest('candidates').position).toEqual({ since: T0 - 45 * MIN, until: T0 + 60 * MIN, backfill: false });
  });

  it('runs each stream on its own interval, and a requested one at once', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    for (const name of ['jobs', 'candidates']) {
      s.startRun(name, T0);
      s.recordPage(name, page(), T0);
    }
    expect(s.dueStream(T0 + 14 * MIN)).toBeUndefined();
    expect(s.msUntilNextDue(T0)).toBe(15 * MIN);
    expect(s.dueStream(T0 + 15 * MIN)).toBe('jobs');
    s.requestSync('candidates');
    expect(s.dueStream(T0 + MIN)).toBe('candidates');
  });

  it('stops as failing on an auth failure, keeping the run where it was; reconfigure continues it', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('candidates', T0);
    const position = { ...s.pageRequest('candidates').position, page: 'tok-7' };
    s.recordPage('candidates', page({ next: position }), T0);
    s.pageFailed('candidates', 'Lever answered 401: Invalid API key', true, T0);
    expect(s.state).toBe('failing');
    // Not under way: stopped on the failure, until a person acts (no time of its own to try again).
    expect(s.status().streams.candidates).toMatchObject({
      running: false,
      failure: { message: 'Lever answered 401: Invalid API key', at: new Date(T0).toISOString() },
    });
    expect(s.status().streams.candidates.failure).not.toHaveProperty('retryAt');
    expect(s.stateDirty).toBe(true);
    expect(s.dueStream(T0 + 10 * MIN)).toBeUndefined();
    expect(s.msUntilNextDue(T0)).toBeUndefined();
    expect(s.refuseSync()).toMatch(/failing \(Lever answered 401/);
    s.requestReconfigure();
    s.reconfigured(plan(), T0 + MIN);
    expect(s.state).toBe('active');
    expect(s.dueStream(T0 + MIN)).toBe('candidates');
    expect(s.pageRequest('candidates').position.page).toBe('tok-7');
    s.startRun('candidates', T0 + MIN);
    expect(s.status().streams.candidates).toMatchObject({ running: true });
    expect(s.status().streams.candidates).not.toHaveProperty('failure');
  });

  it('retries a transient failure at the next interval, from the same page', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('jobs', T0);
    s.pageFailed('jobs', 'Lever: no answer (ECONNRESET)', false, T0);
    expect(s.state).toBe('active');
    expect(s.dueStream(T0 + MIN)).toBe('candidates');
    expect(s.dueStream(T0 + 15 * MIN)).toBe('jobs');
    expect(s.isRunning('jobs')).toBe(true);
    // The run waits for its next interval: not under way meanwhile, with the failure and when it is tried again.
    const retryAt = new Date(T0 + 15 * MIN).toISOString();
    expect(s.status().streams.jobs).toMatchObject({
      running: false,
      failure: { message: 'Lever: no answer (ECONNRESET)', retryAt },
      nextRunAt: retryAt,
    });
    s.startRun('jobs', T0 + 15 * MIN);
    expect(s.status().streams.jobs).toMatchObject({ running: true });
    expect(s.status().streams.jobs).not.toHaveProperty('failure');
    s.recordPage('jobs', page(), T0 + 15 * MIN);
    expect(s.status().lastError).toBeUndefined();
  });

  it('shows a run interrupted by a pause as not under way, and under way again once resumed', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('jobs', T0);
    expect(s.status().streams.jobs.running).toBe(true);
    s.pause();
    expect(s.status().streams.jobs.running).toBe(false);
    s.resume();
    expect(s.status().streams.jobs.running).toBe(true);
  });

  it('backfills again when the start date changes, and keeps the cursor when only the interval does', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('candidates', T0);
    s.recordPage('candidates', page({ maxSeen: T0 - MIN }), T0);
    s.reconfigured(
      plan({ streams: [{ name: 'candidates', intervalMs: 5 * MIN, startAt: Date.parse('2025-01-01T00:00:00Z'), overlapMs: 0 }] }),
      T0,
    );
    expect(s.status().streams.candidates.cursor).toBe(new Date(T0 - MIN).toISOString());
    expect(s.status().streams.candidates.nextRunAt).toBe(new Date(T0 + 5 * MIN).toISOString());
    s.reconfigured(
      plan({ streams: [{ name: 'candidates', intervalMs: 5 * MIN, startAt: Date.parse('2024-01-01T00:00:00Z'), overlapMs: 0 }] }),
      T0,
    );
    expect(s.status().streams.candidates.cursor).toBeUndefined();
    s.startRun('candidates', T0 + 5 * MIN);
    expect(s.pageRequest('candidates').position).toMatchObject({ since: Date.parse('2024-01-01T00:00:00Z'), backfill: true });
  });

  it('reads everything the provider holds first when a stream without a start date asks for it', () => {
    const s = new SyncState('conn_1');
    s.configure(plan({ streams: [{ name: 'jobs', intervalMs: 15 * MIN, overlapMs: 5 * MIN, withoutStartAt: 'everything' }] }), T0);
    s.startRun('jobs', T0);
    expect(s.pageRequest('jobs').position).toEqual({ since: undefined, until: T0, backfill: true });
    s.recordPage('jobs', page({ maxSeen: T0 - 3 * MIN }), T0);
    s.startRun('jobs', T0 + 15 * MIN);
    expect(s.pageRequest('jobs').position).toEqual({ since: T0 - 8 * MIN, until: T0 + 15 * MIN, backfill: false });
  });

  it('reads the whole list again on the first run after the rules its records are classified by change', () => {
    const jobs = (rules: string) => plan({ streams: [{ name: 'jobs', intervalMs: 15 * MIN, overlapMs: 5 * MIN, rules }] });
    const s = new SyncState('conn_1');
    s.configure(jobs('r1'), T0);
    // Without a start date: changes from now, under the rules the list is first read with.
    s.startRun('jobs', T0);
    expect(s.pageRequest('jobs')).toMatchObject({ position: { since: undefined, until: T0, backfill: false, rules: 'r1' } });
    s.recordPage('jobs', page({ maxSeen: T0 - MIN }), T0);
    s.startRun('jobs', T0 + 15 * MIN);
    expect(s.pageRequest('jobs').position).toEqual({ since: T0 - 5 * MIN, until: T0 + 15 * MIN, backfill: false });

    // The rules change while a run is under way: the run goes on where it is, and the next one reads everything.
    s.recordPage('jobs', page({ next: { ...s.pageRequest('jobs').position, page: 'tok-2' } }), T0 + 15 * MIN);
    s.reconfigured(jobs('r2'), T0 + 16 * MIN);
    expect(s.pageRequest('jobs').position).toMatchObject({ page: 'tok-2', since: T0 - 5 * MIN });
    s.recordPage('jobs', page(), T0 + 16 * MIN);
    s.startRun('jobs', T0 + 31 * MIN);
    expect(s.pageRequest('jobs')).toMatchObject({ rules: 'r1', position: { since: undefined, backfill: false, rules: 'r2' } });
    // A rescan that stops part-way (and is carried across continue-as-new) keeps the rules it reads under.
    s.recordPage('jobs', page({ next: { ...s.pageRequest('jobs').position, page: 'tok-9' } }), T0 + 31 * MIN);
    const resumed = new SyncState('conn_1', s.snapshot());
    resumed.recordPage('jobs', page({ maxSeen: T0 + 20 * MIN }), T0 + 32 * MIN);
    resumed.startRun('jobs', T0 + 47 * MIN);
    expect(resumed.pageRequest('jobs')).toMatchObject({ rules: 'r2', position: { since: T0 + 15 * MIN, backfill: false } });
    expect(resumed.pageRequest('jobs').position.rules).toBeUndefined();
  });

  it('survives a snapshot round trip (continue-as-new)', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('jobs', T0);
    s.recordPage('jobs', page({ maxSeen: T0 - 1 }), T0);
    const copy = new SyncState('conn_1', s.snapshot());
    expect(copy.status()).toEqual(s.status());
    expect(copy.configured).toBe(true);
  });
});
