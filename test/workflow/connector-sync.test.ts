import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { EventActivities } from '../../activities/events';
import type { SyncActivities } from '../../activities/sync';
import type { NewEvent } from '../../src/events/types';
import type { ConnectorStatus } from '../../src/sync/status';
import type { ConnectorPlan, PageRequest, PageResult, PostingToUnpost } from '../../src/sync/types';
import {
  type ConnectorSyncInput,
  pauseUpdate,
  reconfigureUpdate,
  resumeUpdate,
  statusQuery,
  syncNowUpdate,
} from '../../workflows/connector-sync';
import { waitsOnlyForAPerson } from '../fixtures/connectors';
import { createTimeSkippingEnv, testServers } from '../helpers/env';
import { waitFor } from '../helpers/wait';

const MIN = 60_000;

/** A provider in memory: records with updatedAt, read two per page, so the engine is tested without any real provider. */
class FakeProvider {
  records: Record<string, Array<{ id: string; updatedAt: number }>> = { jobs: [], candidates: [] };
  written = new Map<string, number>();
  calls: PageRequest[] = [];
  states: string[] = [];
  /** Events the loop raised (sync.completed per run, sync.failing). */
  events: NewEvent[] = [];
  /** From this call on, every page fails as a revoked key would. */
  authFailsFromCall?: number;
  /** What every page of a stream reports as postings whose jobs ended. */
  unposts: Record<string, PostingToUnpost[]> = {};
  plan: ConnectorPlan;

  constructor(connectorId: string) {
    this.plan = {
      connectorId,
      provider: 'fake',
      state: 'active',
      streams: [
        { name: 'jobs', intervalMs: 15 * MIN, overlapMs: MIN },
        { name: 'candidates', intervalMs: 60 * MIN, startAt: 0, overlapMs: MIN },
      ],
      cursors: {},
    };
  }

  activities(): Pick<SyncActivities, 'loadConnectorPlan' | 'syncPage' | 'recordConnectorState' | 'testConnector'> &
    Pick<EventActivities, 'raiseEvent'> {
    return {
      raiseEvent: async (event) => {
        this.events.push(event);
      },
      loadConnectorPlan: async () => structuredClone(this.plan),
      syncPage: async (request) => this.page(request),
      recordConnectorState: async (_id, state) => {
        this.states.push(state);
      },
      testConnector: async () => ({ ok: true, checks: [], missing: [] }),
    };
  }

  private async page(request: PageRequest): Promise<PageResult> {
    this.calls.push(request);
    if (this.authFailsFromCall !== undefined && this.calls.length > this.authFailsFromCall)
      throw ApplicationFailure.create({ message: 'fake answered 401: invalid key', type: 'ProviderAuthError', nonRetryable: true });
    const { since = -Infinity, until, page } = request.position;
    const inWindow = this.records[request.stream]
      .filter((r) => r.updatedAt >= since && r.updatedAt <= until)
      .sort((a, b) => a.updatedAt - b.updatedAt);
    const start = page ? Number(page) : 0;
    const slice = inWindow.slice(start, start + 2);
    const counts = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
    for (const r of slice) {
      const key = `${request.stream}:${r.id}`;
      const before = this.written.get(key);
      counts[before === undefined ? 'created' : before === r.updatedAt ? 'unchanged' : 'updated'] += 1;
      this.written.set(key, r.updatedAt);
    }
    const maxSeen = Math.max(request.position.maxSeen ?? -1, ...slice.map((r) => r.updatedAt));
    const hasNext = start + 2 < inWindow.length;
    return {
      counts,
      skippedReasons: {},
      requests: 1,
      maxSeen: maxSeen >= 0 ? maxSeen : undefined,
      next: hasNext ? { ...request.position, page: String(start + 2), maxSeen } : undefined,
      ...(this.unposts[request.stream] && { postingsToUnpost: this.unposts[request.stream] }),
    };
  }
}

describe('connectorSync under time skipping (engine with an in-memory provider)', () => {
  let env: TestWorkflowEnvironment;
  let now: () => Promise<number>;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    now = async () => (await env.currentTimeMs()) as unknown as number;
  });
  afterAll(() => env?.teardown());

  async function withWorker(provider: FakeProvider, fn: (taskQueue: string) => Promise<void>) {
    const taskQueue = `sync-${Math.random().toString(36).slice(2)}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: testServers.workflowBundle(),
      activities: provider.activities(),
    });
    await worker.runUntil(fn(taskQueue));
  }

  const start = (taskQueue: string, input: ConnectorSyncInput) =>
    env.client.workflow.start('connectorSync', { taskQueue, workflowId: `sync:${input.connectorId}`, args: [input] });

  /** The status once `done` holds: time stands still meanwhile (only env.sleep moves it on). */
  const until = (handle: WorkflowHandle, done: (s: ConnectorStatus) => boolean, what: string) =>
    waitFor(() => handle.query(statusQuery), done, 20_000, what);
  /** The same, with no stream in the middle of a run. */
  const settled = (handle: WorkflowHandle, done: (s: ConnectorStatus) => boolean, what: string) =>
    until(handle, (s) => done(s) && Object.values(s.streams).every((st) => !st.running), what);

  it('backfills page by page, then runs each stream on its own interval from its cursor', async () => {
    const p = new FakeProvider('conn_intervals');
    const t0 = Number(await now());
    p.records.candidates = [1, 2, 3, 4, 5].map((i) => ({ id: `c${i}`, updatedAt: t0 - i * 3600_000 }));
    await withWorker(p, async (taskQueue) => {
      const handle = await start(taskQueue, { connectorId: 'conn_intervals' });
      await env.sleep(61 * MIN);
      const status = await settled(
        handle,
        (s) => s.streams.jobs.totals.runs >= 5 && s.streams.candidates.totals.runs >= 2,
        'five jobs runs and two candidates runs',
      );
      expect(status.state).toBe('active');
      expect(status.streams.jobs.totals.runs).toBe(5);
      expect(status.streams.candidates.totals).toEqual({ created: 5, updated: 0, runs: 2 });
      expect(status.streams.candidates.backfill).toEqual({ done: 5, finished: true });
      // The second candidates run reads only the overlap before the high-water mark: one page, nothing new.
      expect(status.streams.candidates).toMatchObject({ created: 0, updated: 0, unchanged: 1, pages: 1 });
      const secondRun = p.calls.filter((c) => c.stream === 'candidates').at(-1);
      expect(secondRun?.position.since).toBe(t0 - 3600_000 - MIN);
      // Each finished run is announced once, with its counts.
      const completed = p.events.filter((e) => e.type === 'sync.completed' && e.data.stream === 'candidates');
      expect(completed.map((e) => e.data.counts)).toEqual([
        { created: 5, updated: 0, unchanged: 0, skipped: 0, deleted: 0, repaired: 0 },
        { created: 0, updated: 0, unchanged: 1, skipped: 0, deleted: 0, repaired: 0 },
      ]);
      expect(completed[0]).toMatchObject({
        subject: 'connector:conn_intervals',
        data: { connectorId: 'conn_intervals', pages: 3, backfill: true },
      });
      expect(new Set(p.events.map((e) => e.key)).size).toBe(p.events.length);

      // A change appears after the next cycle.
      p.records.candidates.push({ id: 'c6', updatedAt: Number(await now()) });
      await env.sleep(60 * MIN);
      const next = await settled(handle, (s) => s.streams.candidates.totals.runs >= 3, 'a third candidates run');
      expect(next.streams.candidates).toMatchObject({ created: 1, totals: { created: 6, runs: 3 } });
      await handle.terminate();
    });
  });

  it('stops as failing on a revoked key without retrying, and continues from the same page after reconfigure', async () => {
    const p = new FakeProvider('conn_auth');
    const t0 = Number(await now());
    p.plan.streams = [{ name: 'candidates', intervalMs: 15 * MIN, startAt: 0, overlapMs: 0 }];
    p.records.candidates = [1, 2, 3, 4, 5, 6].map((i) => ({ id: `c${i}`, updatedAt: t0 - i * MIN }));
    // The key is revoked after the backfill's first page: the second page fails.
    p.authFailsFromCall = 1;
    await withWorker(p, async (taskQueue) => {
      const handle = await start(taskQueue, { connectorId: 'conn_auth' });
      let status = await until(handle, (s) => s.state === 'failing', 'failing');
      const callsAtFailure = p.calls.length;
      expect(callsAtFailure).toBe(2);
      expect(status.lastError).toMatchObject({ message: expect.stringContaining('401: invalid key'), stream: 'candidates' });
      expect(status.streams.candidates).toMatchObject({
        running: false,
        failure: { message: expect.stringContaining('401: invalid key') },
      });
      await waitFor(
        async () => p.states,
        (states) => states.length > 0,
        20_000,
        'the failing state recorded',
      );
      expect(p.states).toEqual(['failing']);
      await waitFor(
        async () => p.events.filter((e) => e.type === 'sync.failing'),
        (events) => events.length > 0,
        20_000,
        'sync.failing raised',
      );
      expect(p.events.filter((e) => e.type === 'sync.failing')).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ connectorId: 'conn_auth', stream: 'candidates', error: expect.stringContaining('401') }),
        }),
      ]);
      // Hours pass: nothing is tried again, and nothing is scheduled to be — the loop waits for a person.
      await env.sleep(3 * 60 * MIN);
      expect(p.calls.length).toBe(callsAtFailure);
      expect(await waitsOnlyForAPerson(handle)).toBe(true);
      await expect(handle.executeUpdate(syncNowUpdate, { args: [{}] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/failing/) },
      });

      p.authFailsFromCall = undefined;
      const failedAt = p.calls.at(-1)?.position;
      await handle.executeUpdate(reconfigureUpdate);
      status = await settled(
        handle,
        (s) => s.state === 'active' && s.streams.candidates.totals.runs >= 1,
        'the run finished after reconfigure',
      );
      expect(failedAt?.page).toBe('2');
      expect(p.calls[callsAtFailure].position).toEqual(failedAt);
      expect(status.state).toBe('active');
      expect(p.states).toEqual(['failing', 'active']);
      expect(status.streams.candidates.totals.created).toBe(6);
      expect(status.lastError).toBeUndefined();
      await handle.terminate();
    });
  });

  it('pauses and resumes; syncNow runs a stream at once and is refused while paused', async () => {
    const p = new FakeProvider('conn_pause');
    await withWorker(p, async (taskQueue) => {
      const handle = await start(taskQueue, { connectorId: 'conn_pause' });
      const first = await settled(
        handle,
        (s) => s.streams.jobs?.totals.runs >= 1 && s.streams.candidates?.totals.runs >= 1,
        'the first run of each stream',
      );
      const paused = await handle.executeUpdate(pauseUpdate);
      expect(paused.state).toBe('paused');
      expect(paused.streams.jobs.nextRunAt).toBeUndefined();
      const calls = p.calls.length;
      // Hours pass: no page is read, and nothing is scheduled — the loop waits to be resumed.
      await env.sleep(2 * 60 * MIN);
      expect(p.calls.length).toBe(calls);
      expect(await waitsOnlyForAPerson(handle)).toBe(true);
      await expect(handle.executeUpdate(syncNowUpdate, { args: [{ stream: 'jobs' }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/paused/) },
      });
      // Both streams fell due while paused: each runs once on resume, then nothing is due for 15 minutes of frozen time.
      await handle.executeUpdate(resumeUpdate);
      const resumed = await settled(
        handle,
        (s) =>
          s.streams.jobs.totals.runs > first.streams.jobs.totals.runs &&
          s.streams.candidates.totals.runs > first.streams.candidates.totals.runs,
        'a run of each stream after resume',
      );
      expect(p.calls.length).toBeGreaterThan(calls);
      const before = resumed.streams.jobs.totals.runs;
      await handle.executeUpdate(syncNowUpdate, { args: [{ stream: 'jobs' }] });
      const after = await settled(handle, (s) => s.streams.jobs.totals.runs > before, 'the requested jobs run');
      expect(after.streams.jobs.totals.runs).toBe(before + 1);
      await expect(handle.executeUpdate(syncNowUpdate, { args: [{ stream: 'nope' }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/no stream "nope"/) },
      });
      await handle.terminate();
    });
  });

  it('asks the postings of jobs a page ended to unpost, and goes on when a posting has no running workflow', async () => {
    const p = new FakeProvider('conn_unpost');
    const t0 = Number(await now());
    p.plan.streams = [{ name: 'jobs', intervalMs: 15 * MIN, startAt: 0, overlapMs: 0 }];
    p.records.jobs = [1, 2, 3, 4, 5].map((i) => ({ id: `j${i}`, updatedAt: t0 - i * MIN }));
    p.unposts.jobs = [{ workflowId: 'posting:cv-library:job_no_workflow', reason: 'job closed in fake' }];
    await withWorker(p, async (taskQueue) => {
      const handle = await start(taskQueue, { connectorId: 'conn_unpost' });
      const status = await settled(handle, (s) => s.streams.jobs?.totals.runs >= 1, 'the first jobs run');
      expect(status.streams.jobs).toMatchObject({ pages: 3, created: 5, totals: { runs: 1 } });
      const { events } = await handle.fetchHistory();
      const asked = events?.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes) ?? [];
      expect(asked.map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.workflowExecution?.workflowId)).toEqual(
        Array(3).fill('posting:cv-library:job_no_workflow'),
      );
      expect(events?.filter((e) => e.signalExternalWorkflowExecutionFailedEventAttributes)).toHaveLength(3);
      await handle.terminate();
    });
  });

  it('continues as new with its cursors and counts, keeping the history bounded', async () => {
    const p = new FakeProvider('conn_can');
    const t0 = Number(await now());
    p.records.jobs = [{ id: 'j1', updatedAt: t0 + 1 }];
    await withWorker(p, async (taskQueue) => {
      const handle = await start(taskQueue, { connectorId: 'conn_can', maxRunsPerExecution: 3 });
      const firstRunId = (await handle.describe()).runId;
      // An hour of 15-minute runs: more runs than one execution may hold, so the counts crossed a continue-as-new.
      await env.sleep(60 * MIN);
      const latest = env.client.workflow.getHandle('sync:conn_can');
      const status = await settled(latest, (s) => s.streams.jobs.totals.runs >= 5, 'five jobs runs');
      expect((await latest.describe()).runId).not.toBe(firstRunId);
      expect(status.streams.jobs.totals.created).toBe(1);
      // The cursor never moves back: it is at least the record's updatedAt (or the start time, which is later).
      expect(Date.parse(status.streams.jobs.cursor ?? '')).toBeGreaterThanOrEqual(t0 + 1);
      expect(p.calls.filter((c) => c.stream === 'jobs').every((c) => (c.position.since ?? 0) >= t0 - MIN)).toBe(true);
      await latest.terminate();
    });
  });
});
