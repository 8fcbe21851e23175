import { setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { activitiesRun } from '../helpers/history';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

const DAY = 86_400_000;
/** How long the board's jobs last in this test, on the real clock. */
const LIFETIME_MS = 12_000;

/**
 * A posting reaching its board expiry on the real clock (the dev server, no time skipping): the workflow wakes a few
 * seconds early and asks for one activity, which waits for the due time itself. Nothing may happen before the board's
 * expiry: a posting marked expired, or reposted with no lead time, while its board job still runs would be wrong.
 */
describeEachStore('a posting at its board expiry, in real time (API → Temporal → activity → sandbox → store)', (store) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({}, { store });
    await setUpCvLibrary(t, { expiryDays: 1, repostLeadDays: 0 });
  });
  afterAll(() => t?.stop());

  const posting = (id: string) => t.api('GET', `/v1/postings/${id}`).then((r) => r.body);
  const clock = (advanceMs: number) => t.sandbox('POST', 'cv-library', '/_sandbox/clock', { advanceMs });

  async function post(reference: string, autoRepost: boolean) {
    const job = (await t.api('POST', '/v1/jobs', aJob({ reference }))).body;
    const res = await t.api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library', autoRepost });
    expect(res.status).toBe(202);
    return res.body;
  }

  it('expires a posting, and reposts one with auto-repost on, at the board expiry and not before, in the one workflow task of its wake', async () => {
    // The board's clock goes back a day less the lifetime: a job posted for a day then expires LIFETIME_MS from now.
    await clock(-(DAY - LIFETIME_MS));
    const ending = await post('DUE-EXPIRE', false);
    const renewing = await post('DUE-REPOST', true);
    const live = await Promise.all([ending, renewing].map((p) => untilPostingState(t, p.id, 'live')));
    await clock(DAY - LIFETIME_MS); // a repost is then for a day
    const expiresAt = live.map((p) => Date.parse(p.expiresAt));
    expect(Math.max(...expiresAt)).toBeGreaterThan(Date.now()); // still live on the board when the wait began

    const expired = await untilPostingState(t, ending.id, 'expired', 60_000);
    const reposted = await waitFor(
      () => posting(renewing.id),
      (p) => p.repostCount >= 1,
      60_000,
      'the auto-repost',
    );
    expect(reposted).toMatchObject({ state: 'live', repostCount: 1 });
    expect(Date.parse(reposted.expiresAt) - Date.now()).toBeGreaterThan(DAY / 2);

    const doneAt = (p: { events: Array<{ kind: string; at: string }> }, kind: string) => {
      const done = p.events.filter((e) => e.kind === kind);
      expect(done).toHaveLength(1);
      return Date.parse(done[0].at);
    };
    expect(doneAt(expired, 'expired')).toBeGreaterThanOrEqual(expiresAt[0]);
    expect(doneAt(reposted, 'reposted')).toBeGreaterThanOrEqual(expiresAt[1]);
    // The run continued after the repost (the store shows the repost before the workflow continues as new) counts
    // the new lifetime from the board's answer, not from the wake.
    const continued = await waitFor(
      async () => (await t.system.client.workflow.getHandle(reposted.workflowId).fetchHistory()).events?.[0],
      (started) => Boolean(started?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId),
      30_000,
      'the run continued after the repost',
    );
    const input = continued?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(input!).toString('utf8')).liveSince).toBe(Date.parse(reposted.postedAt));

    // Each first cycle slept once and settled at its wake with a local activity (in the wake's workflow task); its
    // marker is recorded as that task completes, which may be after the store shows the outcome.
    await t.system.client.workflow.getHandle(expired.workflowId).result();
    for (const p of [expired, reposted]) {
      const workflow = t.system.client.workflow;
      const firstRun = (await workflow.getHandle(p.workflowId).describe()).raw.workflowExecutionInfo?.firstRunId ?? undefined;
      const events = (await workflow.getHandle(p.workflowId, firstRun).fetchHistory()).events ?? [];
      expect(events.filter((e) => e.timerStartedEventAttributes)).toHaveLength(1);
      expect(activitiesRun(events)).toEqual(['openPosting', 'local:settlePosting']);
    }
  });
});
