import { temporal } from '@temporalio/proto';
import type { BenchSystem } from './harness';
import { percentile } from './harness';

const DAY_MS = 86_400_000;
/** The board setting the bench posts with: the shortest CV-Library allows. */
export const EXPIRY_DAYS = 1;

export interface ExpiryFigures {
  expiryLifetimeSeconds: number;
  expiriesChecked: number;
  firedLateP50Ms: number;
  firedLateP99Ms: number;
  firedLateMaxMs: number;
  firedWithin1s: number;
  actedLateP50Ms: number;
  actedLateP99Ms: number;
  actedWithin1s: number;
  recordedLateP50Ms: number;
  recordedLateP99Ms: number;
  recordedLateMaxMs: number;
  recordedWithin1s: number;
  recordedEarly: number;
  repostedOnce: number;
  expiredOnce: number;
  expiryPhaseSeconds: number;
  /** Events, workflow tasks, activities, search-attribute and memo upserts, markers and runs a posting (`history…PerPosting`). */
  [historyCount: `history${string}PerPosting`]: number;
}

/**
 * How long the bench's board postings last (BENCH_EXPIRY_LIFETIME_S): longer than posting them all takes, at 15 a
 * second. Shorter, the first fall due while the last are posted, and their reposts slow the posting further.
 */
export function lifetimeFor(postings: number): number {
  const seconds = Number(process.env.BENCH_EXPIRY_LIFETIME_S ?? Math.max(120, Math.ceil(postings / 15) + 120));
  return seconds * 1000;
}

/**
 * The sandbox board's clock goes back by a day less `lifetime`: a job posted for a day (expiryDays 1) then expires
 * `lifetime` from now on the real clock, and the board says so in its `expires_at`. Nothing in jobrelay is told.
 */
export async function shortenLifetimes(b: BenchSystem, lifetime: number) {
  await moveBoardClock(b, -(DAY_MS - lifetime));
}

/**
 * Puts the board's clock right (jobs posted from now on last a day, as do auto-reposts; those already up keep their
 * expiry), waits until every posting has expired or been reposted, then checks from the workflows' histories and
 * the store when each expiry fired against the board's `expires_at`, and that each repost or expiry happened once.
 */
export async function checkExpiry(
  b: BenchSystem,
  { postingIds, lifetime, whenAllEnded }: { postingIds: string[]; lifetime: number; whenAllEnded?: () => void },
): Promise<ExpiryFigures> {
  const started = Date.now();
  await moveBoardClock(b, DAY_MS - lifetime);
  const { db } = b.deps.store;
  const rows = await db.selectFrom('postings').select(['id', 'workflow_id', 'options']).where('id', 'in', postingIds).execute();
  const autoRepost = new Map(rows.map((r) => [r.id, Boolean((r.options as { autoRepost?: boolean }).autoRepost)]));
  const postingOf = new Map(rows.map((r) => [r.workflow_id, r.id]));
  const firstDue = await dueTimes(b, postingIds);
  if (Math.min(...firstDue.values()) < started)
    throw new Error('a posting expired before all were live: set BENCH_EXPIRY_LIFETIME_S above the time posting them takes');

  const deadline = Math.max(...firstDue.values()) + 300_000;
  for (;;) {
    const ended = await db
      .selectFrom('postings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'in', postingIds)
      .where((eb) => eb.or([eb('state', '=', 'expired'), eb('repost_count', '>=', 1)]))
      .executeTakeFirstOrThrow();
    if (Number(ended.n) === postingIds.length) break;
    if (Date.now() > deadline) throw new Error(`only ${ended.n} of ${postingIds.length} postings expired or were reposted in time`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await new Promise((r) => setTimeout(r, 2000)); // a second repost or expiry, were there one, would show now
  whenAllEnded?.();

  const events = await db
    .selectFrom('posting_events')
    .select(['posting_id', 'kind', 'at'])
    .where('posting_id', 'in', postingIds)
    .where('kind', 'in', ['reposted', 'expired'])
    .execute();
  const byPosting = new Map<string, { reposted: number; expired: number }>();
  /** When the store recorded each posting's first repost or expiry: the effect done, the board asked before it. */
  const recorded = new Map<string, number>();
  for (const e of events) {
    const at = new Date(e.at as unknown as string).getTime();
    if (at < (recorded.get(e.posting_id) ?? Number.POSITIVE_INFINITY)) recorded.set(e.posting_id, at);
    const c = byPosting.get(e.posting_id) ?? { reposted: 0, expired: 0 };
    c[e.kind as 'reposted' | 'expired']++;
    byPosting.set(e.posting_id, c);
  }
  let repostedOnce = 0;
  let expiredOnce = 0;
  for (const id of postingIds) {
    const c = byPosting.get(id) ?? { reposted: 0, expired: 0 };
    if (autoRepost.get(id) && c.reposted === 1 && c.expired === 0) repostedOnce++;
    if (!autoRepost.get(id) && c.expired === 1 && c.reposted === 0) expiredOnce++;
  }

  const { fired, timerDue, acted, work, firstTaskWait } = await firedTimes(b, postingOf);
  const firedLate: number[] = [];
  const actedLate: number[] = [];
  const setLate: number[] = [];
  const recordedLate: number[] = [];
  for (const id of postingIds) {
    const due = firstDue.get(id)!;
    firedLate.push((fired.get(id) ?? Number.POSITIVE_INFINITY) - due);
    if (acted.has(id)) actedLate.push(acted.get(id)! - due);
    setLate.push((timerDue.get(id) ?? Number.POSITIVE_INFINITY) - due);
    recordedLate.push((recorded.get(id) ?? Number.POSITIVE_INFINITY) - due);
  }
  const autoCount = [...autoRepost.values()].filter(Boolean).length;
  const figures: ExpiryFigures = {
    expiryLifetimeSeconds: lifetime / 1000,
    expiriesChecked: postingIds.length,
    firedLateP50Ms: percentile(firedLate, 50),
    firedLateP99Ms: percentile(firedLate, 99),
    firedLateMaxMs: Math.max(...firedLate),
    firedWithin1s: firedLate.filter((ms) => ms <= 1000).length,
    actedLateP50Ms: percentile(actedLate, 50),
    actedLateP99Ms: percentile(actedLate, 99),
    actedWithin1s: actedLate.filter((ms) => ms <= 1000).length,
    recordedLateP50Ms: percentile(recordedLate, 50),
    recordedLateP99Ms: percentile(recordedLate, 99),
    recordedLateMaxMs: Math.max(...recordedLate),
    recordedWithin1s: recordedLate.filter((ms) => ms >= 0 && ms <= 1000).length,
    recordedEarly: recordedLate.filter((ms) => ms < 0).length,
    repostedOnce,
    expiredOnce,
    expiryPhaseSeconds: (Date.now() - started) / 1000,
    ...Object.fromEntries(Object.entries(work).map(([k, v]) => [`history${k[0].toUpperCase()}${k.slice(1)}PerPosting`, v])),
  };
  console.log(`expiry: every posting's board job lasted ${lifetime / 1000} s (board clock moved; expiryDays ${EXPIRY_DAYS})`);
  console.log(
    `  timer fired vs the board's expires_at: p50 ${figures.firedLateP50Ms} ms, p99 ${figures.firedLateP99Ms} ms, max ${figures.firedLateMaxMs} ms; within 1 s: ${figures.firedWithin1s} of ${postingIds.length}; the expiry or repost begun (an activity scheduled after the last timer; runs settling in a local activity at the wake have none: ${postingIds.length - actedLate.length}) p50 ${figures.actedLateP50Ms} ms, p99 ${figures.actedLateP99Ms} ms after, within 1 s: ${figures.actedWithin1s}; the timers were set for p50 ${percentile(setLate, 50)} ms, p99 ${percentile(setLate, 99)} ms after it`,
  );
  console.log(
    `  the repost or expiry done (its event recorded in the store) vs the board's expires_at (less the repost lead): p50 ${figures.recordedLateP50Ms} ms, p99 ${figures.recordedLateP99Ms} ms, max ${figures.recordedLateMaxMs} ms; within 1 s (and not before): ${figures.recordedWithin1s} of ${postingIds.length}; before it: ${figures.recordedEarly}`,
  );
  console.log(
    `  reposted exactly once: ${repostedOnce} of ${autoCount} (auto-repost); expired exactly once: ${expiredOnce} of ${postingIds.length - autoCount}; phase took ${figures.expiryPhaseSeconds.toFixed(0)} s`,
  );
  console.log(`  a posting's workflow runs, from post to its first repost or expiry: ${JSON.stringify(work)}`);
  console.log(
    `  first workflow task began after the start: p50 ${percentile(firstTaskWait, 50)} ms, p99 ${percentile(firstTaskWait, 99)} ms; over 1 s: ${firstTaskWait.filter((ms) => ms > 1000).length} of ${firstTaskWait.length}`,
  );
  return figures;
}

async function moveBoardClock(b: BenchSystem, advanceMs: number) {
  const res = await fetch(`${b.sandboxes.urlFor('cv-library')}/_sandbox/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs }),
  });
  if (!res.ok) throw new Error(`the sandbox clock did not move: ${res.status}`);
}

/** The board's expires_at of each posting's first cycle, as jobrelay recorded it when the posting went live. */
async function dueTimes(b: BenchSystem, postingIds: string[]): Promise<Map<string, number>> {
  const posted = await b.deps.store.db
    .selectFrom('posting_events')
    .select(['posting_id', 'details'])
    .where('posting_id', 'in', postingIds)
    .where('key', '=', 'posted:0')
    .execute();
  return new Map(posted.map((e) => [e.posting_id, Date.parse(String((e.details as { expiresAt: string }).expiresAt))]));
}

/**
 * From each posting's first run (the run a repost continued as new from, or the one that completed on expiry): when
 * its timer fired, when the workflow had set it to fire, and when it scheduled its first activity after.
 */
async function firedTimes(b: BenchSystem, postingOf: Map<string, string>) {
  const fired = new Map<string, number>();
  const timerDue = new Map<string, number>();
  const acted = new Map<string, number>();
  const workflowIds = [...postingOf.keys()];
  const work = new HistoryWork();
  /** From the start to its first workflow task: an eager start's comes back in the start's answer, the rest wait in matching. */
  const firstTaskWait: number[] = [];
  const history = async (workflowId: string, runId?: string) =>
    (await b.system.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < workflowIds.length; i = next++) {
      const workflowId = workflowIds[i];
      let events = await history(workflowId);
      work.add(events);
      const previousRun = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (previousRun) {
        events = await history(workflowId, previousRun);
        work.add(events);
      }
      const firstTask = events.find((e) => e.workflowTaskStartedEventAttributes);
      if (firstTask) firstTaskWait.push(eventMs(firstTask.eventTime) - eventMs(events[0].eventTime));
      const at = events.map((e) => Boolean(e.timerFiredEventAttributes)).lastIndexOf(true);
      if (at < 0) continue;
      const postingId = postingOf.get(workflowId)!;
      fired.set(postingId, eventMs(events[at].eventTime));
      const timerId = events[at].timerFiredEventAttributes?.timerId;
      const started = events.find((e) => e.timerStartedEventAttributes?.timerId === timerId);
      const timeout = started?.timerStartedEventAttributes?.startToFireTimeout;
      if (started && timeout) timerDue.set(postingId, eventMs(started.eventTime) + eventMs(timeout));
      const scheduled = events.slice(at).find((e) => e.activityTaskScheduledEventAttributes);
      if (scheduled) acted.set(postingId, eventMs(scheduled.eventTime));
    }
  };
  await Promise.all(Array.from({ length: 8 }, reader));
  return { fired, timerDue, acted, work: work.perPosting(workflowIds.length), firstTaskWait };
}

/** What Temporal recorded for the postings over all their runs (a posting here has at most two), for counts a posting. */
class HistoryWork {
  private readonly totals = { events: 0, workflowTasks: 0, activities: 0, searchAttributeUpserts: 0, markers: 0, memoUpserts: 0, runs: 0 };

  add(events: Array<{ eventType?: unknown }>): void {
    const t = this.totals;
    t.runs++;
    t.events += events.length;
    for (const { eventType } of events) {
      const type = String(temporal.api.enums.v1.EventType[eventType as number] ?? eventType);
      if (type === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') t.workflowTasks++;
      else if (type === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') t.activities++;
      else if (type === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES') t.searchAttributeUpserts++;
      else if (type === 'EVENT_TYPE_MARKER_RECORDED') t.markers++;
      else if (type === 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED') t.memoUpserts++;
    }
  }

  perPosting(postings: number): Record<keyof HistoryWork['totals'], number> {
    return Object.fromEntries(Object.entries(this.totals).map(([k, v]) => [k, Number((v / postings).toFixed(2))])) as never;
  }
}

function eventMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
}
