import { MockActivityEnvironment } from '@temporalio/testing';
import { createPostingActivities } from '../../activities/postings';
import { loadConfig } from '../../src/config';
import { SecretBox } from '../../src/crypto/secrets';
import { GENERIC_ACCOUNT } from '../../src/domain/posting';
import { Metrics } from '../../src/metrics';
import { freePort } from '../../src/net';
import { type RunningSandboxes, startSandboxes } from '../../src/providers/sandboxes';
import type { Store } from '../../src/store';
import { setUpCvLibraryInStore } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { sandboxOrigins } from '../helpers/origins';
import { describeEachStore, openTestStore } from '../helpers/stores';

describeEachStore('posting activities are idempotent against the real board sandbox', (kind) => {
  let store: Store;
  let sandboxes: RunningSandboxes;
  let activities: ReturnType<typeof createPostingActivities>;
  const env = new MockActivityEnvironment();
  const metrics = new Metrics();
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    env.run(fn as never, ...args) as Promise<R>;

  beforeAll(async () => {
    const secrets = new SecretBox(Buffer.alloc(32, 3));
    store = await openTestStore(kind, { secrets });
    sandboxes = await startSandboxes(await freePort());
    await setUpCvLibraryInStore(store, sandboxes.urlFor('cv-library'));
    activities = createPostingActivities({ store, secrets, config: loadConfig({}), metrics, origins: sandboxOrigins() });
  });
  afterAll(async () => {
    await sandboxes?.close();
    await store?.close();
  });

  const boardJobs = async () =>
    (
      (await (await fetch(`${sandboxes.urlFor('cv-library')}/_sandbox/jobs`)).json()) as {
        jobs: Array<{ job_id: number; reference: string; status: string }>;
      }
    ).jobs;

  async function aPosting(autoRepost = false) {
    const job = await store.jobs.create(aJob());
    return (
      await store.postings.createOrGet({
        jobId: job.id,
        board: 'cv-library',
        account: GENERIC_ACCOUNT,
        options: { autoRepost, quickApply: true },
      })
    ).posting;
  }

  it('publishing again after the board answered but before we stored it finds the same job (one live job on the board)', async () => {
    const posting = await aPosting();
    const first = await run(activities.publishPosting, posting.id);
    // The worker died after CV-Library created the job but before our write: the retry starts from `pending`.
    await store.db.updateTable('postings').set({ state: 'pending', external_id: null }).where('id', '=', posting.id).execute();
    const retried = await run(activities.publishPosting, posting.id);
    expect(retried.externalId).toBe(first.externalId);
    expect((await boardJobs()).filter((j) => j.reference.startsWith(posting.id))).toHaveLength(1);

    const again = await run(activities.publishPosting, posting.id);
    expect(again).toEqual(retried);
    expect((await store.postings.events(posting.id)).map((e) => e.kind)).toEqual(['posted']);
  });

  it('a repost retried after it succeeded changes nothing; unposting twice deletes once', async () => {
    const posting = await aPosting();
    await run(activities.publishPosting, posting.id);
    const reposted = await run(activities.repostPosting, posting.id, 0, 'requested');
    const retried = await run(activities.repostPosting, posting.id, 0, 'requested');
    expect(retried).toEqual(reposted);
    expect(reposted.repostCount).toBe(1);
    const mine = (await boardJobs()).filter((j) => j.reference.startsWith(posting.id));
    expect(mine.map((j) => j.status).sort()).toEqual(['deleted', 'live']);

    await run(activities.unpostPosting, posting.id, 'requested');
    const twice = await run(activities.unpostPosting, posting.id, 'requested');
    expect(twice.state).toBe('unposted');
    expect((await boardJobs()).filter((j) => j.reference.startsWith(posting.id)).every((j) => j.status === 'deleted')).toBe(true);
    expect((await store.postings.events(posting.id)).map((e) => e.kind)).toEqual(['posted', 'reposted', 'unposted']);
    expect(metrics.render()).toMatch(/jobrelay_posting_events_total\{board="cv-library",event="reposted"\} 1/);
  });

  it('at the due time reposts (auto-repost, job open) or expires (past expiry) in one step, once however often retried', async () => {
    const auto = await aPosting(true);
    await run(activities.openPosting, auto.id);
    const reposted = await run(activities.settlePosting, auto.id, 0, false);
    expect(reposted).toMatchObject({ state: 'live', repostCount: 1 });
    expect(await run(activities.settlePosting, auto.id, 0, false)).toEqual(reposted);
    expect(
      (await boardJobs())
        .filter((j) => j.reference.startsWith(auto.id))
        .map((j) => j.status)
        .sort(),
    ).toEqual(['deleted', 'live']);

    // The job closed: no repost; before the board's expiry it is left live, after it expired once.
    await store.jobs.update(auto.jobId, { state: 'closed' });
    expect(await run(activities.settlePosting, auto.id, 1, false)).toMatchObject({ state: 'live', repostCount: 1 });
    const expired = await run(activities.settlePosting, auto.id, 1, true);
    expect(expired).toMatchObject({ state: 'expired', repostCount: 1 });
    expect(await run(activities.settlePosting, auto.id, 1, true)).toEqual(expired);
    const events = await store.postings.events(auto.id);
    expect(events.map((e) => e.kind)).toEqual(['posted', 'reposted', 'expired']);
    expect(events[1].details).toMatchObject({ reason: 'auto' });
  });
});
