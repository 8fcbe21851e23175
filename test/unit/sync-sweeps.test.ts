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
  sweep: { enabled: true, timeOfDay: '03:00', timeZone: 'Europe/Warsaw' },
  ...overrides,
});

const lastPage = (overrides: Partial<PageResult> = {}): PageResult => ({
  counts: { created: 0, updated: 0, unchanged: 3, skipped: 0 },
  skippedReasons: {},
  requests: 1,
  ...overrides,
});

/** Runs every stream that is due until none is. */
function runDue(s: SyncState, now: number, page: (stream: string) => PageResult = () => lastPage()) {
  for (let stream = s.dueStream(now); stream; stream = s.dueStream(now)) {
    s.startRun(stream, now);
    while (s.isRunning(stream)) s.recordPage(stream, page(stream), now);
  }
}

describe('sync state: sweeps, resyncs and streams that are off', () => {
  it('waits for the sweep time, then sweeps every stream over all it covers, and asks for the next time', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    expect(s.sweepUnscheduled).toBe(true);
    runDue(s, T0);
    s.scheduleSweep(T0 + 60 * MIN);
    expect(s.sweepUnscheduled).toBe(false);
    expect(s.msUntilNextDue(T0 + 5 * MIN)).toBe(10 * MIN); // jobs' interval comes first
    s.beginSweepIfDue(T0 + 59 * MIN);
    expect(s.status().sweep).toMatchObject({ running: false, nextAt: new Date(T0 + 60 * MIN).toISOString() });
    expect(s.hasWork(T0 + 60 * MIN)).toBe(true);

    s.beginSweepIfDue(T0 + 60 * MIN);
    expect(s.status().sweep?.running).toBe(true);
    const jobs = s.dueStream(T0 + 60 * MIN);
    expect(jobs).toBe('jobs');
    s.startRun('jobs', T0 + 60 * MIN);
    // Jobs had no start date: the sweep reads from when the stream was set up; candidates from their start date.
    expect(s.pageRequest('jobs').position).toEqual({ since: T0, until: T0 + 60 * MIN, backfill: false, mode: 'sweep' });
    s.recordPage('jobs', lastPage({ counts: { created: 1, updated: 2, unchanged: 5, skipped: 0, deleted: 1 } }), T0 + 61 * MIN);
    s.startRun('candidates', T0 + 61 * MIN);
    expect(s.pageRequest('candidates').position).toMatchObject({ since: Date.parse('2025-01-01T00:00:00Z'), mode: 'sweep' });
    s.recordPage('candidates', lastPage({ counts: { created: 0, updated: 1, unchanged: 9, skipped: 0, deleted: 2 } }), T0 + 62 * MIN);

    const status = s.status();
    expect(status.sweep).toMatchObject({ running: false, repaired: 4, deleted: 3, totals: { runs: 1, repaired: 4, deleted: 3 } });
    expect(status.streams.jobs).toMatchObject({ mode: 'sweep', repaired: 3, deleted: 1, totals: { repaired: 3, deleted: 1 } });
    expect(s.sweepUnscheduled).toBe(true); // the next sweep's time is worked out again
  });

  it('does not sweep a paused connector, and refuses a second sweep while one runs', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.scheduleSweep(T0);
    s.pause();
    s.beginSweepIfDue(T0 + MIN);
    expect(s.status().sweep?.running).toBe(false);
    expect(s.refuseSweep()).toMatch(/paused/);
    s.resume();
    s.requestSweep(T0 + MIN, 'candidates');
    expect(s.refuseSweep()).toBe('a sweep is already running');
    expect(s.dueStream(T0 + MIN)).toBe('candidates');
  });

  it('queues a resync from a date after the stream’s current run, and refuses one from the future', () => {
    const s = new SyncState('conn_1');
    s.configure(plan(), T0);
    s.startRun('candidates', T0);
    s.requestResync(T0 - 30 * MIN, 'candidates');
    expect(s.refuseResync(T0 + MIN, T0)).toBe('since must not be in the future');
    expect(s.pageRequest('candidates').position.mode).toBeUndefined();
    s.recordPage('candidates', lastPage(), T0 + MIN);
    expect(s.status().streams.candidates.queued).toEqual(['resync']);
    expect(s.dueStream(T0 + MIN)).toBe('candidates');
    s.startRun('candidates', T0 + MIN);
    expect(s.pageRequest('candidates').position).toEqual({ since: T0 - 30 * MIN, until: T0 + MIN, backfill: false, mode: 'resync' });
  });

  it('never runs a stream that is off, and says why', () => {
    const s = new SyncState('conn_1');
    const off = 'no API key: candidates are off';
    s.configure(plan({ streams: [plan().streams[0], { ...plan().streams[1], off }] }), T0);
    runDue(s, T0);
    expect(s.dueStream(T0 + 2 * 60 * MIN)).toBe('jobs');
    expect(s.refuseSync('candidates')).toBe(`stream "candidates" is off: ${off}`);
    expect(s.status().streams.candidates).toMatchObject({ off, running: false, nextRunAt: undefined });
    expect(s.msUntilNextDue(T0)).toBe(15 * MIN);
    s.requestSweep(T0);
    expect(s.status().streams.candidates.queued).toEqual([]);
  });

  it('needs its plan again when continued from a snapshot made before sweeps', () => {
    const old = new SyncState('conn_1');
    old.configure(plan({ sweep: undefined }), T0);
    const snapshot = old.snapshot();
    const resumed = new SyncState('conn_1', snapshot);
    expect(resumed.lacksSweepPlan).toBe(true);
    expect(resumed.sweepUnscheduled).toBe(false);
    resumed.configure(plan(), T0);
    expect(resumed.lacksSweepPlan).toBe(false);
  });
});
