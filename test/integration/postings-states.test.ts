import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sandboxJobs, setUpCvLibrary, untilPostingState } from '../fixtures/cv-library';
import { aJob } from '../fixtures/jobs';
import { createTimeSkippingEnv } from '../helpers/env';
import { recordHistory } from '../helpers/record';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, type TestSystem } from '../helpers/system';
import { waitFor } from '../helpers/wait';

/**
 * The posting API, request by request and state by state. Every cell either does what it says (the CV-Library
 * sandbox board shows it) or answers 409/422 naming why; README "Posting jobs to CV-Library" has the same table.
 *
 * The whole system runs (API → Temporal → activities → sandbox → store), on the time-skipping test server so that
 * 28 days can pass. How each state is held: pending — the board answers 429 until released; live — posted;
 * expired — 29 days pass on Temporal's and the board's clocks; unposted — DELETE; failed — the board answers 401 once.
 */

type State = 'pending' | 'live' | 'expired' | 'unposted' | 'failed';
const STATES: State[] = ['pending', 'live', 'expired', 'unposted', 'failed'];
const DAY = 86_400_000;

/** An API body, as JSON. */
type Json = any;
interface Cell {
  job: Json;
  /** The posting as it was when the request was made. */
  before: Json;
  res: { status: number; body: Json };
}
type Then = (cell: Cell) => Promise<void>;
type Outcome = { status: 200 | 202; says: string; then: Then } | { status: 409 | 422; because: RegExp };
interface Row {
  request: string;
  send: (job: Json, posting: Json) => Promise<{ status: number; body: Json }>;
  /** Brings the cell's job where the request means something (the reopen row closes the job of an unposted posting first). */
  prepare?: (state: State, job: Json) => Promise<void>;
  /** Saves the pending cell's workflow history as a replay fixture under this name (RECORD_HISTORIES=1). */
  recordPendingAs?: string;
  cells: Record<State, Outcome>;
}

describeEachStore('the posting API: every request against every posting state', (store) => {
  let env: TestWorkflowEnvironment;
  let t: TestSystem;
  /** Postings brought to `expired` together up front: one jump of 29 days serves them all. */
  const expired = new Map<string, { job: Json; posting: Json }>();

  const api = (method: string, path: string, body?: unknown) => t.api(method, path, body);
  const posting = (id: string) => api('GET', `/v1/postings/${id}`).then((r) => r.body);
  const untilState = (id: string, state: string) => untilPostingState(t, id, state);
  const faults = (body: object) => t.sandbox('POST', 'cv-library', '/_sandbox/faults', body);
  const boardRequests = async () => (await t.sandbox('GET', 'cv-library', '/_sandbox/stats')).body.requests as number;
  /** The posting's jobs on the board, every cycle: its references are `<postingId>-<cycle>`. */
  const onBoard = async (p: Json) => (await sandboxJobs(t)).filter((j) => j.reference.startsWith(`${p.id}-`));
  const liveOnBoard = async (p: Json) => (await onBoard(p)).filter((j) => j.status === 'live');

  async function newJob(name: string) {
    return (await api('POST', '/v1/jobs', aJob({ reference: name }))).body;
  }

  async function post(job: Json) {
    const res = await api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' });
    expect(res.status).toBe(202);
    return res.body;
  }

  /** A posting of a new job, held in `state`. */
  async function hold(state: State, name: string): Promise<{ job: Json; posting: Json }> {
    if (state === 'expired') return expired.get(name)!;
    const job = await newJob(name);
    if (state === 'pending') {
      await faults({ failNext: [{ status: 429, count: 10_000 }], retryAfterSec: 1 });
      const before = await boardRequests();
      const pending = await post(job);
      await waitFor(boardRequests, (n) => n > before, 10_000, 'the board to refuse the publish');
      return { job, posting: await posting(pending.id) };
    }
    if (state === 'failed') await faults({ failNext: [{ status: 401, count: 1 }] });
    const first = await post(job);
    if (state === 'failed') return { job, posting: await untilState(first.id, 'failed') };
    const live = await untilState(first.id, 'live');
    if (state === 'live') return { job, posting: live };
    expect((await api('DELETE', `/v1/postings/${live.id}`)).status).toBe(200);
    return { job, posting: await untilState(live.id, 'unposted') };
  }

  // What the board and the posting show after the request (and, for a pending posting, after the board recovers).

  /** Nothing changed: the posting is as it was (a pending one goes live as it would have), and so is the board. */
  const unchanged = async ({ before }: Cell) => {
    const settled = await untilState(before.id, before.state === 'pending' ? 'live' : before.state);
    expect(settled.repostCount).toBe(before.repostCount);
    const live = await liveOnBoard(before);
    expect(live.map((j) => j.job_id)).toEqual(settled.state === 'live' ? [settled.externalId] : []);
    if (before.state !== 'pending') expect(settled.externalId).toBe(before.externalId);
  };

  /** The request returned the posting it had, which carries on as it was. */
  const sameOne = async (cell: Cell) => {
    expect(cell.res.body.id).toBe(cell.before.id);
    await unchanged(cell);
  };

  /** A new cycle: pending at once, then a new board job for a fresh 28 days; the history keeps the cycle before. */
  const postedAgain = async ({ before, res }: Cell) => {
    expect(res.body).toMatchObject({ id: before.id, state: 'pending', repostCount: before.repostCount + 1 });
    const again = await untilState(before.id, 'live');
    expect(again.externalId).not.toBe(before.externalId);
    expect(again.events.map((e: Json) => e.kind)).toEqual([...before.events.map((e: Json) => e.kind), 'posted']);
    const [boardJob] = await liveOnBoard(before);
    expect(boardJob.job_id).toBe(again.externalId);
    expect(Date.parse(boardJob.expires_at) - Date.parse(boardJob.created_at)).toBe(28 * DAY);
    if (before.externalId) expect((await onBoard(before)).find((j) => j.job_id === before.externalId)?.status).not.toBe('live');
  };

  /** A live posting reposted at once: the old board job is taken down, a new one is up for a fresh 28 days. */
  const repostedNow = async ({ before, res }: Cell) => {
    expect(res.body).toMatchObject({ state: 'live', repostCount: before.repostCount + 1 });
    expect(res.body.externalId).not.toBe(before.externalId);
    const jobs = await onBoard(before);
    expect(jobs.find((j) => j.job_id === before.externalId)?.status).toBe('deleted');
    const live = jobs.filter((j) => j.status === 'live');
    expect(live.map((j) => j.job_id)).toEqual([res.body.externalId]);
    expect(Date.parse(live[0].expires_at) - Date.parse(live[0].created_at)).toBe(28 * DAY);
  };

  /** Unposted, and nothing of it is live on the board (a pending one once its publish ended). */
  const offTheBoard = async ({ before }: Cell) => {
    const unposted = await untilState(before.id, 'unposted');
    expect(unposted.events.at(-1).kind).toBe('unposted');
    expect(await liveOnBoard(before)).toEqual([]);
  };

  /** The board shows the new options (the amend row makes the CV mandatory). */
  const boardShowsOptions = async ({ before }: Cell) => {
    const live = await untilState(before.id, 'live');
    expect(live.options.quickApply).toBe(false);
    await waitFor(liveOnBoard.bind(null, before), (jobs) => jobs.length === 1 && jobs[0].cv_required === true, 20_000, 'CV required');
  };

  /** The board shows the job's new title. */
  const boardShowsTitle = async ({ before }: Cell) => {
    await untilState(before.id, 'live');
    await waitFor(
      liveOnBoard.bind(null, before),
      (jobs) => jobs.length === 1 && jobs[0].title === 'Senior Payroll Administrator',
      20_000,
      'the new title',
    );
  };

  const ok = (status: 200 | 202, says: string, then: Then): Outcome => ({ status, says, then });
  const refused = (status: 409 | 422, because: RegExp): Outcome => ({ status, because });
  const postedAgainAs = (status: 200 | 202) => ok(status, 'posted again: a new board job for a fresh 28 days', postedAgain);
  const nothingToAmend = refused(409, /nothing of it is on the board to amend; post it again/);

  const TABLE: Row[] = [
    {
      request: 'POST /v1/jobs/:id/postings (post the job)',
      send: (job) => api('POST', `/v1/jobs/${job.id}/postings`, { board: 'cv-library' }),
      cells: {
        pending: ok(200, 'the same posting, which goes live', sameOne),
        live: ok(200, 'the same posting, live as it was', sameOne),
        expired: postedAgainAs(202),
        unposted: postedAgainAs(202),
        failed: postedAgainAs(202),
      },
    },
    {
      request: 'PATCH /v1/postings/:id (amend its options)',
      send: (_job, p) => api('PATCH', `/v1/postings/${p.id}`, { quickApply: false }),
      recordPendingAs: 'posting-amended-while-publishing',
      cells: {
        pending: ok(202, 'the board gets the new options once the publish in flight ends', boardShowsOptions),
        live: ok(200, 'the board shows the new options', boardShowsOptions),
        expired: nothingToAmend,
        unposted: nothingToAmend,
        failed: nothingToAmend,
      },
    },
    {
      request: 'POST /v1/postings/:id/repost',
      send: (_job, p) => api('POST', `/v1/postings/${p.id}/repost`),
      cells: {
        pending: refused(409, /cannot repost a posting that is pending/),
        live: ok(200, 'a new board job for a fresh 28 days; the old one is taken down', repostedNow),
        expired: postedAgainAs(202),
        unposted: postedAgainAs(202),
        failed: postedAgainAs(202),
      },
    },
    {
      request: 'DELETE /v1/postings/:id (unpost)',
      send: (_job, p) => api('DELETE', `/v1/postings/${p.id}`),
      recordPendingAs: 'posting-unposted-while-publishing',
      cells: {
        pending: ok(202, 'unposted once the publish in flight ends', offTheBoard),
        live: ok(200, 'taken off the board', offTheBoard),
        expired: ok(200, 'unposted; the board had expired it', offTheBoard),
        unposted: ok(200, 'unposted already: nothing changes', unchanged),
        failed: ok(200, 'unposted; nothing was on the board', offTheBoard),
      },
    },
    {
      request: 'PATCH /v1/jobs/:id (edit the job)',
      send: (job) => api('PATCH', `/v1/jobs/${job.id}`, { title: 'Senior Payroll Administrator' }),
      cells: {
        pending: ok(200, 'the board shows the edit once the posting is live', boardShowsTitle),
        live: ok(200, 'the board shows the edit', boardShowsTitle),
        expired: ok(200, 'the job changes; nothing is on the board to change', unchanged),
        unposted: ok(200, 'the job changes; nothing is on the board to change', unchanged),
        failed: ok(200, 'the job changes; nothing is on the board to change', unchanged),
      },
    },
    {
      request: 'PATCH /v1/jobs/:id {state: closed} (close the job)',
      send: (job) => api('PATCH', `/v1/jobs/${job.id}`, { state: 'closed' }),
      cells: {
        pending: ok(200, 'its posting is unposted once the publish in flight ends', offTheBoard),
        live: ok(200, 'its posting is taken off the board', offTheBoard),
        expired: ok(200, 'its posting is unposted', offTheBoard),
        unposted: ok(200, 'its posting stays unposted', unchanged),
        failed: ok(200, 'its posting is unposted', offTheBoard),
      },
    },
    {
      request: 'PATCH /v1/jobs/:id {state: open} (reopen the job)',
      send: (job) => api('PATCH', `/v1/jobs/${job.id}`, { state: 'open' }),
      // An unposted posting is the one state a closed job's posting can be in: close the job first.
      prepare: async (state, job) => {
        if (state === 'unposted') expect((await api('PATCH', `/v1/jobs/${job.id}`, { state: 'closed' })).status).toBe(200);
      },
      cells: {
        pending: ok(200, 'the job is open already: nothing changes', unchanged),
        live: ok(200, 'the job is open already: nothing changes', unchanged),
        expired: ok(200, 'the job is open already: nothing changes', unchanged),
        unposted: ok(200, 'the job is open again; its posting stays unposted until it is posted again', unchanged),
        failed: ok(200, 'the job is open already: nothing changes', unchanged),
      },
    },
  ];

  const name = (row: number, state: State) => `STATE-${row}-${state}`;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    t = await startTestSystem({ TEMPORAL_ADDRESS: env.address }, { store });
    await setUpCvLibrary(t);
    for (let row = 0; row < TABLE.length; row++) {
      const job = await newJob(name(row, 'expired'));
      expired.set(name(row, 'expired'), { job, posting: await post(job) });
    }
    for (const { posting: p } of expired.values()) await untilState(p.id, 'live');
    // 29 days pass, on the board's clock and on Temporal's.
    await t.sandbox('POST', 'cv-library', '/_sandbox/clock', { advanceMs: 29 * DAY });
    await env.sleep(29 * DAY);
    for (const entry of expired.values()) entry.posting = await untilState(entry.posting.id, 'expired');
  });

  afterAll(async () => {
    await t?.stop();
    await env?.teardown();
  });

  it('a posting the board expired raised posting.live then posting.expired, carrying its expiry, in its outbox', async () => {
    for (const { posting: p } of expired.values()) {
      const raised = await t.deps.store.events.ofSubject(`posting:${p.id}`);
      expect(raised.map((e) => e.type)).toEqual(['posting.live', 'posting.expired']);
      expect(raised[1].data).toMatchObject({
        postingId: p.id,
        jobId: p.jobId,
        board: 'cv-library',
        expiresAt: p.expiresAt,
        repostCount: 0,
      });
    }
  });

  const cases = TABLE.flatMap((row, i) =>
    STATES.map((state) => {
      const outcome = row.cells[state];
      const answer = 'says' in outcome ? outcome.says : `refused, ${outcome.because.source.replace(/\\/g, '')}`;
      return [`${row.request} on a ${state} posting → ${outcome.status}: ${answer}`, i, state] as const;
    }),
  );

  it.each(cases)('%s', async (_title, i, state) => {
    const row = TABLE[i];
    const held = await hold(state, name(i, state));
    await row.prepare?.(state, held.job);
    const before = await posting(held.posting.id);
    expect(before.state).toBe(state);

    const res = await row.send(held.job, before);
    await faults({}); // a pending posting's board recovers
    const outcome = row.cells[state];
    expect({ status: res.status, error: res.body?.error }).toEqual({
      status: outcome.status,
      error: 'because' in outcome ? expect.stringMatching(outcome.because) : undefined,
    });
    // A refused request changes nothing.
    await ('then' in outcome ? outcome.then : unchanged)({ job: held.job, before, res });
    if (state === 'pending' && row.recordPendingAs)
      await recordHistory(row.recordPendingAs, t.system.client.workflow.getHandle(before.workflowId));
  });
});
