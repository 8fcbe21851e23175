import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfig } from '../../src/config';
import { SecretBox } from '../../src/crypto/secrets';
import type { Deps } from '../../src/deps';
import { GENERIC_ACCOUNT } from '../../src/domain/posting';
import { WAKE_EARLY_MS } from '../../src/domain/posting-timing';
import { PostingState } from '../../src/domain/search-attributes';
import { createLogger } from '../../src/logger';
import { Metrics } from '../../src/metrics';
import { freePort } from '../../src/net';
import { type RunningSandboxes, startSandboxes } from '../../src/providers/sandboxes';
import { repostUpdate, statusQuery, unpostUpdate } from '../../workflows/posting-lifecycle';
import { setUpCvLibraryInStore } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { createTimeSkippingEnv, testServers } from '../helpers/env';
import { activitiesRun } from '../helpers/history';
import { sandboxOrigins } from '../helpers/origins';
import { recordHistory } from '../helpers/record';
import { describeEachStore, openTestStore } from '../helpers/stores';
import { waitFor } from '../helpers/wait';

const DAY = 86_400_000;

/** A history event's time in ms. */
const msOf = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

describeEachStore('posting lifecycle under time skipping (real activities, sandbox and store)', (kind) => {
  let env: TestWorkflowEnvironment;
  let deps: Deps;
  let sandboxes: RunningSandboxes;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    sandboxes = await startSandboxes(await freePort());
    const secrets = new SecretBox(Buffer.alloc(32, 7));
    const config = loadConfig({ NODE_ENV: 'test', TEMPORAL_TASK_QUEUE: 'postings' });
    deps = {
      config,
      secrets,
      store: await openTestStore(kind, { secrets }),
      logger: createLogger('silent'),
      metrics: new Metrics(),
      origins: sandboxOrigins(),
      webhookOrigins: sandboxOrigins(),
    };
    await setUpCvLibraryInStore(deps.store, sandboxes.urlFor('cv-library'), { repostLeadDays: 2 });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'postings',
      workflowBundle: testServers.workflowBundle(),
      activities: createActivities(deps),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await sandboxes?.close();
    await deps?.store.close();
    await env?.teardown();
  });

  async function startPosting(autoRepost: boolean) {
    const job = await deps.store.jobs.create(aJob());
    const { posting } = await deps.store.postings.createOrGet({
      jobId: job.id,
      board: 'cv-library',
      account: GENERIC_ACCOUNT,
      options: { autoRepost, quickApply: true },
    });
    const handle = await env.client.workflow.start('postingLifecycle', {
      taskQueue: 'postings',
      workflowId: posting.workflowId,
      args: [{ postingId: posting.id }],
    });
    return { job, posting, handle };
  }

  const liveOnBoard = async (postingId: string) => {
    const { jobs } = (await (await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/jobs`)).json()) as {
      jobs: Array<{ reference: string; status: string }>;
    };
    return jobs.filter((j) => j.reference.startsWith(postingId) && j.status === 'live');
  };

  const board = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandboxes.urlFor('cv-library')}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, any>;
  };
  afterEach(() => board('POST', '/_sandbox/faults', {}));

  it('fails a posting the board answers 503 until the retry policy gives up: the reason kept, PostingState "failed"', async () => {
    const before = (await board('GET', '/_sandbox/stats')).faultsServed[503] ?? 0;
    await board('POST', '/_sandbox/faults', { failNext: [{ status: 503, count: 1000 }] });
    const { posting, handle } = await startPosting(false);
    const reason = 'publish failed: CV-Library answered 503: injected_fault: injected 503';
    expect(await handle.result()).toMatchObject({ state: 'failed', lastError: reason });
    expect(await deps.store.postings.get(posting.id)).toMatchObject({ state: 'failed', lastError: reason });
    expect((await handle.describe()).typedSearchAttributes.get(PostingState)).toBe('failed');
    // Every attempt the policy allows (20, about half an hour of backoff), and not one more.
    expect((await board('GET', '/_sandbox/stats')).faultsServed[503] - before).toBe(20);
  });

  it('tries again no earlier than the board’s Retry-After (120 s), as the workflow history shows', async () => {
    const before = (await board('GET', '/_sandbox/stats')).faultsServed[429] ?? 0;
    await board('POST', '/_sandbox/faults', { failNext: [{ status: 429, count: 1 }], retryAfterSec: 120 });
    const { handle } = await startPosting(false);
    expect(await handle.result()).toMatchObject({ state: 'expired' });
    const { events } = await handle.fetchHistory();
    const scheduled = events!.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'openPosting')!;
    const started = events!.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId))!;
    expect((await board('GET', '/_sandbox/stats')).faultsServed[429] - before).toBe(1);
    expect(started.activityTaskStartedEventAttributes?.attempt).toBe(2);
    // The retry policy alone would have tried again after 1 s.
    expect(msOf(started.eventTime) - msOf(scheduled.eventTime)).toBeGreaterThanOrEqual(120_000);
  });

  it('expires a posting after 28 days when auto-repost is off, at its due time: woken early, its one activity waits out the rest', async () => {
    // A day ahead of the board's clock, the workflow counts the lifetime from when it saw the posting live.
    await env.sleep(DAY);
    const { posting, handle } = await startPosting(false);
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'expired', repostCount: 0 });
    const stored = await deps.store.postings.get(posting.id);
    expect(stored!.state).toBe('expired');
    const lifetime = Date.parse(stored!.expiresAt!) - Date.parse(stored!.postedAt!);
    expect(Math.abs(lifetime - 28 * DAY)).toBeLessThan(60_000);
    expect((await deps.store.postings.events(posting.id)).map((e) => e.kind)).toEqual(['posted', 'expired']);

    const events = (await handle.fetchHistory()).events!;
    const at = (find: (e: (typeof events)[number]) => unknown, from = 0) => events.findIndex((e, i) => i >= from && find(e));
    const opened = at((e) => e.activityTaskCompletedEventAttributes);
    const due = msOf(events[at((e) => e.workflowTaskStartedEventAttributes, opened)].eventTime) + lifetime;
    const timers = events.filter((e) => e.timerStartedEventAttributes);
    const fired = events.filter((e) => e.timerFiredEventAttributes);
    // One timer, firing a little before the due time; the task it wakes reads and expires the posting in a local
    // activity (on the skipped clock the due time is far from the activity's, so it does not wait here) and ends.
    expect(timers).toHaveLength(1);
    expect(msOf(fired[0].eventTime)).toBeLessThan(due);
    expect(due - msOf(fired[0].eventTime)).toBeLessThanOrEqual(WAKE_EARLY_MS);
    expect(activitiesRun(events)).toEqual(['openPosting', 'local:settlePosting']);
    const afterWake = events.slice(events.indexOf(fired[0]));
    expect(afterWake.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    await recordHistory('posting-settled-at-due-expired', handle);
  });

  it('reposts before expiry when auto-repost is on, keeping one live job on the board, and continues as new each cycle', async () => {
    const { posting, handle } = await startPosting(true);
    const firstRunId = handle.firstExecutionRunId;
    // 28 days minus the 2-day lead time, then a little more: the first repost has happened.
    await env.sleep(27 * DAY);
    // The repost's requests run in real time after the skip (and its new run starts after a continue-as-new): wait for it.
    const status = await waitFor(
      () => env.client.workflow.getHandle(posting.workflowId).query(statusQuery),
      (s) => s.repostCount >= 1,
      20_000,
      'the first repost',
    );
    expect(status).toMatchObject({ state: 'live', repostCount: 1 });
    expect(await liveOnBoard(posting.id)).toHaveLength(1);
    const description = await env.client.workflow.getHandle(posting.workflowId).describe();
    expect(description.runId).not.toBe(firstRunId);
    expect((await deps.store.postings.events(posting.id)).map((e) => e.kind)).toEqual(['posted', 'reposted']);

    // Closing the job stops the reposts: at the next due time the posting expires.
    await deps.store.jobs.update(posting.jobId, { state: 'closed' });
    const ended = await env.client.workflow.getHandle(posting.workflowId).result();
    expect(ended).toMatchObject({ state: 'expired', repostCount: 1 });
    await recordHistory('posting-settled-at-due-auto-repost-first-cycle', env.client.workflow.getHandle(posting.workflowId, firstRunId));
    await recordHistory('posting-settled-at-due-auto-repost-then-expired', env.client.workflow.getHandle(posting.workflowId));
  });

  it('fails a posting whose auto-repost the board refuses (auth): the reason kept, nothing retried, the run ended', async () => {
    const { posting, handle } = await startPosting(true);
    await waitFor(
      () => deps.store.postings.get(posting.id),
      (p) => p?.state === 'live',
      20_000,
      'the posting live',
    );
    const before = (await board('GET', '/_sandbox/stats')).faultsServed[401] ?? 0;
    await board('POST', '/_sandbox/faults', { failNext: [{ status: 401, count: 5 }] });
    const result = await handle.result();
    expect(result).toMatchObject({ state: 'failed', repostCount: 0 });
    expect(result.lastError).toMatch(/^repost failed: /);
    expect((await board('GET', '/_sandbox/stats')).faultsServed[401] - before).toBe(1);
    expect((await deps.store.postings.events(posting.id)).map((e) => e.kind)).toEqual(['posted', 'failed']);
    expect((await handle.describe()).typedSearchAttributes.get(PostingState)).toBe('failed');
  });

  it('a manual repost extends an expired posting; an unpost then takes it down', async () => {
    const { posting, handle } = await startPosting(false);
    await handle.result();
    const rerun = await env.client.workflow.start('postingLifecycle', {
      taskQueue: 'postings',
      workflowId: posting.workflowId,
      args: [{ postingId: posting.id, repostFirst: true }],
    });
    await env.sleep(DAY);
    const live = await waitFor(
      () => rerun.query(statusQuery),
      (s) => s.repostCount >= 1 || !!s.lastError,
      20_000,
      'the manual repost',
    );
    expect(live.lastError).toBeUndefined();
    expect(live).toMatchObject({ state: 'live', repostCount: 1 });
    // The board sets the expiry on its own (real) clock, not the skipped one.
    expect(Date.parse(live.expiresAt!)).toBeGreaterThan(Date.now() + 20 * DAY);
    const refused = rerun.executeUpdate(repostUpdate);
    await expect(refused).resolves.toMatchObject({ repostCount: 2 });
    const unposted = await rerun.executeUpdate(unpostUpdate, { args: ['job filled'] });
    expect(unposted.state).toBe('unposted');
    expect(await liveOnBoard(posting.id)).toHaveLength(0);
    await recordHistory('posting-settled-at-due-expired-reposted-unposted', handle);
  });
});
