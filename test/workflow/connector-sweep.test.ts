import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { EventActivities } from '../../activities/events';
import type { SyncActivities } from '../../activities/sync';
import type { NewEvent } from '../../src/events/types';
import { nextDailyAt } from '../../src/sync/sweep';
import type { ConnectorPlan, PageRequest, PageResult, SweepPlan } from '../../src/sync/types';
import { resyncUpdate, statusQuery, sweepNowUpdate } from '../../workflows/connector-sync';
import { createTimeSkippingEnv, testServers } from '../helpers/env';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** An in-memory provider: one page per run; a sweep page reports one repair and one deletion. */
class FakeProvider {
  calls: PageRequest[] = [];
  sweepTimesAskedAfter: number[] = [];
  /** Events the loop raised (sync.completed per run). */
  events: NewEvent[] = [];
  constructor(readonly plan: ConnectorPlan) {}

  activities(): Pick<SyncActivities, 'loadConnectorPlan' | 'syncPage' | 'recordConnectorState' | 'testConnector' | 'nextSweepAt'> &
    Pick<EventActivities, 'raiseEvent'> {
    return {
      raiseEvent: async (event) => {
        this.events.push(event);
      },
      loadConnectorPlan: async () => structuredClone(this.plan),
      syncPage: async (request) => this.page(request),
      recordConnectorState: async () => {},
      testConnector: async () => ({ ok: true, checks: [], missing: [] }),
      nextSweepAt: async (plan: SweepPlan, after: number) => {
        this.sweepTimesAskedAfter.push(after);
        return nextDailyAt(plan.timeOfDay, plan.timeZone, after);
      },
    };
  }

  private async page(request: PageRequest): Promise<PageResult> {
    this.calls.push(request);
    const sweep = request.position.mode === 'sweep';
    return {
      counts: { created: 0, updated: sweep ? 1 : 0, unchanged: 1, skipped: 0, deleted: sweep ? 1 : 0 },
      skippedReasons: {},
      requests: 1,
    };
  }
}

describe('connectorSync sweeps and resyncs under time skipping', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  type Handle = Awaited<ReturnType<typeof env.client.workflow.start>>;

  /** Until the loop has loaded its plan (under load, a second of skipped time may pass before it has). */
  async function planned(handle: Handle) {
    for (let i = 0; i < 100; i++) {
      const status = await handle.query(statusQuery);
      if (Object.keys(status.streams).length > 0 && status.sweep?.nextAt) return status;
      await env.sleep(100);
    }
    throw new Error('the loop never loaded its plan');
  }

  async function run(p: FakeProvider, id: string, fn: (handle: Handle) => Promise<void>) {
    const taskQueue = `sweep-${Math.random().toString(36).slice(2)}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: testServers.workflowBundle(),
      activities: p.activities(),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('connectorSync', { taskQueue, workflowId: `sync:${id}`, args: [{ connectorId: id }] });
      await fn(handle);
      await handle.terminate();
    });
  }

  const plan = (id: string, timeZone: string): ConnectorPlan => ({
    connectorId: id,
    provider: 'fake',
    state: 'active',
    streams: [
      { name: 'jobs', intervalMs: 6 * 60 * MIN, overlapMs: 0 },
      { name: 'candidates', intervalMs: 6 * 60 * MIN, startAt: 0, overlapMs: 0 },
    ],
    cursors: {},
    sweep: { enabled: true, timeOfDay: '03:00', timeZone },
  });

  it('sweeps every stream daily at the local time the activity works out, each time asking for the next', async () => {
    const p = new FakeProvider(plan('conn_daily', 'Asia/Kolkata'));
    await run(p, 'conn_daily', async (handle) => {
      const first = await planned(handle);
      const nextAt = Date.parse(first.sweep?.nextAt ?? '');
      const started = Number(await env.currentTimeMs());
      expect(nextAt).toBe(nextDailyAt('03:00', 'Asia/Kolkata', p.sweepTimesAskedAfter[0]));
      expect(nextAt - started).toBeLessThanOrEqual(DAY);

      await env.sleep(nextAt - started + 2 * DAY + 60_000);
      const status = await handle.query(statusQuery);
      expect(status.sweep).toMatchObject({ running: false, totals: { runs: 3, repaired: 6, deleted: 6 } });
      const sweeps = p.calls.filter((c) => c.position.mode === 'sweep');
      expect(sweeps.map((c) => c.stream)).toEqual(['jobs', 'candidates', 'jobs', 'candidates', 'jobs', 'candidates']);
      // Each sweep starts at 03:00 Kolkata time (21:30 UTC), whatever the interval runs around it.
      for (const c of sweeps.filter((x) => x.stream === 'jobs')) expect(new Date(c.position.until).toISOString()).toMatch(/T21:30:0\d/);
      expect(p.sweepTimesAskedAfter).toHaveLength(4);
      // Each sweep's run is announced with what it found.
      const swept = p.events.filter((e) => e.type === 'sync.completed' && e.data.mode === 'sweep');
      expect(swept).toHaveLength(6);
      expect(swept[0].data.counts).toMatchObject({ repaired: 1, deleted: 1 });
    });
  });

  it('sweeps now on request, and resyncs a stream from a date after its current run', async () => {
    const p = new FakeProvider(plan('conn_now', 'UTC'));
    await run(p, 'conn_now', async (handle) => {
      await planned(handle);
      const swept = await handle.executeUpdate(sweepNowUpdate, { args: [{ stream: 'candidates' }] });
      expect(swept.sweep?.running).toBe(true);
      await env.sleep(1000);
      expect((await handle.query(statusQuery)).sweep).toMatchObject({ running: false, totals: { runs: 1 } });
      const since = Number(await env.currentTimeMs()) - 7 * DAY;
      await handle.executeUpdate(resyncUpdate, { args: [{ since, stream: 'jobs' }] });
      await env.sleep(1000);
      const resync = p.calls.find((c) => c.position.mode === 'resync');
      expect(resync).toMatchObject({ stream: 'jobs', position: { since, mode: 'resync' } });
      await expect(
        handle.executeUpdate(resyncUpdate, { args: [{ since: Number(await env.currentTimeMs()) + DAY }] }),
      ).rejects.toMatchObject({
        cause: { message: 'since must not be in the future' },
      });
    });
  });
});
