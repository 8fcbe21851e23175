import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { RelayActivities, RunPageRequest, RunPlan } from '../../activities/relay';
import type { StatusRun } from '../../src/domain/relay';
import { emptyTally, type RunTally } from '../../src/relay/status-run';
import { createTimeSkippingEnv, testServers } from '../helpers/env';

// The statusSync workflow's own sequence, with its activities in memory, under time skipping: pages until each
// recruitment's last, the held list last, the tally added up and recorded; a page that keeps failing is retried
// with backoff, then the run is recorded failed and fails.

type Fake = Pick<RelayActivities, 'beginStatusRun' | 'planStatusRun' | 'statusSyncPage' | 'releaseHeldChanges' | 'finishStatusRun'>;

const pushed = (n: number): RunTally => {
  const t = emptyTally();
  t.counts.pushed = n;
  t.counts.read = n;
  return t;
};

class FakeRun {
  calls: string[] = [];
  finished?: { state: string; tally: RunTally; error?: string };
  /** Pages per recruitment. */
  pages: Record<string, number> = { r1: 3, r2: 1 };
  /** This page fails so many times before it answers. */
  failing = { page: 'r1#1', attempts: 0 };

  activities(): Fake {
    return {
      beginStatusRun: async (input) => {
        this.calls.push('begin');
        return {
          runId: input.runId,
          connectorId: input.connectorId,
          mappingVersion: 2,
          window: { since: 0, until: input.startedAt },
          enabledAt: 0,
          recruitments: [],
        };
      },
      planStatusRun: async (plan: RunPlan) => {
        this.calls.push('plan');
        return { ...plan, recruitments: Object.keys(this.pages) };
      },
      statusSyncPage: async (request: RunPageRequest) => {
        const page = Number(request.page ?? 0);
        const name = `${request.recruitmentId}#${page}`;
        this.calls.push(name);
        if (name === this.failing.page && this.failing.attempts > 0) {
          this.failing.attempts -= 1;
          throw ApplicationFailure.create({ message: 'eRecruiter answered 500: InternalError', type: 'ProviderUnavailable' });
        }
        const last = page + 1 >= this.pages[request.recruitmentId];
        return { tally: pushed(2), next: last ? undefined : String(page + 1) };
      },
      releaseHeldChanges: async () => {
        this.calls.push('release');
        return pushed(1);
      },
      finishStatusRun: async (input) => {
        this.finished = input;
        return { id: input.runId, state: input.state, counts: input.tally.counts } as unknown as StatusRun;
      },
    };
  }
}

describe('statusSync workflow (time skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(() => env?.teardown());

  async function run(fake: FakeRun) {
    const taskQueue = `status-sync-${Math.random().toString(36).slice(2)}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: testServers.workflowBundle(),
      activities: fake.activities(),
    });
    return worker.runUntil(
      env.client.workflow
        .execute('statusSync', { taskQueue, workflowId: `status-sync:conn_wf-${taskQueue}`, args: [{ connectorId: 'conn_wf' }] })
        .then(
          (result) => ({ result, error: undefined }),
          (error: unknown) => ({ result: undefined, error }),
        ),
    );
  }

  it('reads every page of every recruitment, then the held list, and records the tally once', async () => {
    const fake = new FakeRun();
    const { result, error } = await run(fake);
    expect(error).toBeUndefined();
    expect(fake.calls).toEqual(['begin', 'plan', 'r1#0', 'r1#1', 'r1#2', 'r2#0', 'release']);
    expect(fake.finished?.state).toBe('succeeded');
    expect(fake.finished?.tally.counts).toMatchObject({ pushed: 9, read: 9 });
    expect(result).toMatchObject({ state: 'succeeded', counts: { pushed: 9 } });
  });

  it('retries a failing page with backoff, and fails the run visibly once the retries are spent (counts kept so far)', async () => {
    const fake = new FakeRun();
    fake.failing.attempts = 100;
    const { error } = await run(fake);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe('the status sync run failed: eRecruiter answered 500: InternalError');
    expect(fake.calls.filter((c) => c === 'r1#1')).toHaveLength(6); // the page's retry policy: six attempts
    expect(fake.finished).toMatchObject({ state: 'failed', error: 'eRecruiter answered 500: InternalError' });
    expect(fake.finished?.tally.counts.pushed).toBe(2); // the first page's
    expect(fake.calls).not.toContain('release');
  });

  it('a page that fails a few times and then answers does not fail the run', async () => {
    const fake = new FakeRun();
    fake.failing.attempts = 3;
    const { error } = await run(fake);
    expect(error).toBeUndefined();
    expect(fake.finished?.state).toBe('succeeded');
    expect(fake.finished?.tally.counts.pushed).toBe(9);
  });
});
