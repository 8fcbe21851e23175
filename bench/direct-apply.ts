import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { pgliteThreadTasks } from '../src/store/pglite-thread-dialect';
import { application, cvSize, deliverOne, sendBurstFromChild } from './direct-apply-board';
import { type BenchSystem, percentile, setUpCvLibraryBoard, startBenchSystem } from './harness';
import { recordResults } from './results';

export { application, deliverOne };

const RATE = Number(process.env.BENCH_RATE ?? 20); // deliveries per second
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Every n-th application is delivered twice at once, as a board retrying over a slow answer does. */
const DUPLICATE_EVERY = 10;

/**
 * DirectApply at a steady rate: the board (a process of its own) POSTs applications, each with a PDF CV of
 * BENCH_CV_KB (200 KB by default), to a live posting's URL; we measure how long the webhook takes to answer (the
 * delivery is staged by then) and how long until the application is in the store, and check each one was stored
 * exactly once. With DATABASE_URL set the store is that PostgreSQL; else PGlite.
 */
export async function run(): Promise<void> {
  const b = await startBenchSystem(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {});
  try {
    const url = await livePostingUrl(b);
    await deliverOne(url, application('warm-up', 0)); // the first workflow start and query plans
    const total = RATE * SECONDS;
    const cpuBefore = process.cpuUsage();
    const devServerBefore = cpuMsOf(b.devServer.process.pid);
    const storeThreadBefore = storeThreadCpuMs();
    // How late this process's event loop ran while the board sent (a webhook answer waits that long for its turn).
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const {
      sentAt,
      latencies,
      failures,
      sendSeconds,
      cpuMs: boardCpuMs,
    } = await sendBurstFromChild({
      url,
      rate: RATE,
      seconds: SECONDS,
      duplicateEvery: DUPLICATE_EVERY,
    });
    loopDelay.disable();

    const stored = await untilStored(b, Object.keys(sentAt), 300_000);
    await untilFinished(b, 60_000); // the CV is linked just after the application row: count once every intake is done
    const cpu = process.cpuUsage(cpuBefore);
    const devServerMs = cpuMsOf(b.devServer.process.pid) - devServerBefore;
    const storeThreadMs = storeThreadCpuMs() - storeThreadBefore;
    const toStored = stored.map((row) => row.created_at.getTime() - sentAt[row.external_id]);
    const distinct = new Set(stored.map((r) => r.external_id)).size;
    const counts = await sql<{ candidates: number; cvs: number }>`select
        (select count(*)::int from candidate_sources where external_id like 'bench-%') as candidates,
        (select count(*)::int from application_documents l join applications a on a.id = l.application_id where a.external_id like 'bench-%') as cvs`.execute(
      b.deps.store.db,
    );
    const { candidates, cvs } = counts.rows[0];
    // What the store takes on disk afterwards: each CV once as the candidate's document, plus what awaits a vacuum.
    const size = await sql<{ bytes: number }>`select pg_database_size(current_database())::float8 as bytes`.execute(b.deps.store.db);
    const storeMiB = size.rows[0].bytes / 2 ** 20;
    const requests = latencies.length + Object.values(failures).reduce((a, n) => a + n, 0);
    const exactlyOnce = distinct === total && stored.length === total && candidates === total && cvs === total;
    const perApp = (ms: number) => (ms / total).toFixed(1);

    console.log(
      `direct-apply: ${total} applications (each with a ${cvSize()} B PDF) at ${RATE}/s for ${SECONDS} s, every ${DUPLICATE_EVERY}th delivered twice at once, on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}: ${requests} webhook requests in ${sendSeconds.toFixed(1)} s`,
    );
    console.log(
      `  webhook answered 200: ${latencies.length}/${requests}${Object.keys(failures).length ? ` (others: ${JSON.stringify(failures)})` : ''}; latency p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(Math.max(...latencies))} ms`,
    );
    console.log(
      `  event loop delay while the board sent: p50 ${fmt(loopDelay.percentile(50) / 1e6)} ms, p99 ${fmt(loopDelay.percentile(99) / 1e6)} ms, max ${fmt(loopDelay.max / 1e6)} ms; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end`,
    );
    console.log(
      `  time from delivery to stored application: p50 ${fmt(percentile(toStored, 50))} ms, p99 ${fmt(percentile(toStored, 99))} ms`,
    );
    console.log(
      `  CPU an application: ${perApp((cpu.user + cpu.system) / 1000)} ms this process (API, worker, store), of which ${process.env.DATABASE_URL ? '–' : perApp(storeThreadMs)} ms PGlite's thread; ${perApp(devServerMs)} ms the Temporal dev server, ${perApp(boardCpuMs)} ms the board's sender (its own process)`,
    );
    console.log(
      `  stored exactly once: ${exactlyOnce ? 'yes' : 'NO'} — ${stored.length} application rows for ${distinct} distinct of ${total} sent; ${candidates} candidate sources, ${cvs} CVs`,
    );
    console.log(`  store size after: ${storeMiB.toFixed(0)} MiB (CVs taken in: ${((total * cvSize()) / 2 ** 20).toFixed(0)} MiB)`);
    recordResults(process.env.DATABASE_URL ? 'direct-apply-postgres' : 'direct-apply', {
      deliveriesPerSecond: RATE,
      seconds: SECONDS,
      cvBytes: cvSize(),
      webhookRequests: requests,
      answered200: latencies.length,
      ackP50Ms: round(percentile(latencies, 50)),
      ackP99Ms: round(percentile(latencies, 99)),
      storedP50Ms: round(percentile(toStored, 50)),
      storedP99Ms: round(percentile(toStored, 99)),
      cpuMsPerApplication: round((cpu.user + cpu.system) / 1000 / total, 1),
      devServerCpuMsPerApplication: round(devServerMs / total, 1),
      ...(!process.env.DATABASE_URL && { pgliteThreadCpuMsPerApplication: round(storeThreadMs / total, 1) }),
      eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
      storedExactlyOnce: exactlyOnce,
      storeMiB: round(storeMiB),
    });
  } finally {
    await b.stop();
  }
}

/** CPU time (user + system) a process or thread (`<pid>/task/<tid>`) has used so far, from /proc; 0 where there is no /proc. */
function cpuMsOf(entry: number | string | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** CPU time PGlite's thread in this process has used so far (0 on PostgreSQL). */
const storeThreadCpuMs = () => pgliteThreadTasks().reduce((ms, task) => ms + cpuMsOf(task), 0);

/** A job posted live on the sandbox board; its DirectApply URL (where the board delivers applications). */
export async function livePostingUrl(b: BenchSystem): Promise<string> {
  await setUpCvLibraryBoard(b, { genericAccount: true });
  const job = await b.api('POST', '/v1/jobs', {
    reference: 'BENCH-APPLY',
    title: 'Payroll Administrator',
    description: '<p>Run payroll.</p>',
    location: { city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' },
    employmentStatus: 'full-time',
    recruiter: { name: 'Priya Shah', email: 'priya@bench.example' },
  });
  const posting = await b.api('POST', `/v1/jobs/${job.body.id}/postings`, { board: 'cv-library' });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const p = await b.api('GET', `/v1/postings/${posting.body.id}`);
    if (p.body.state === 'live') {
      const { jobs } = (await (await fetch(`${b.sandboxes.urlFor('cv-library')}/_sandbox/jobs`)).json()) as {
        jobs: Array<{ job_id: number; direct_apply_url: string }>;
      };
      return jobs.find((j) => String(j.job_id) === p.body.externalId)!.direct_apply_url;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the benchmark posting did not go live');
}

/**
 * The stored applications of these DirectApply ids, once all are in (or the time is up). While waiting it only
 * counts them: the bench runs in the process it measures, on the store's one connection, so reading every row
 * ten times a second (3,000 rows a read at the end of a 30 s burst) took CPU and connection time from the intakes.
 */
export async function untilStored(b: BenchSystem, ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const sorted = [...ids].sort();
  const [first, last] = [sorted[0], sorted[sorted.length - 1]];
  for (;;) {
    const inRange = await b.deps.store.db
      .selectFrom('applications')
      .select((eb) => eb.fn.count<number>('external_id').distinct().as('n'))
      .where('provider', '=', 'cv-library')
      .where('external_id', '>=', first)
      .where('external_id', '<=', last)
      .executeTakeFirstOrThrow();
    if (Number(inRange.n) >= ids.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const wanted = new Set(ids);
  const rows = await b.deps.store.db
    .selectFrom('applications')
    .select(['external_id', 'created_at'])
    .where('provider', '=', 'cv-library')
    .where('external_id', '>=', first)
    .where('external_id', '<=', last)
    .execute();
  return rows.filter((r) => wanted.has(r.external_id));
}

/** Waits until no bench delivery is waiting for its intake (or the time is up). */
async function untilFinished(b: BenchSystem, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const waiting = await sql<{ n: number }>`select count(*)::int as n from intake_deliveries
        where external_id like 'bench-%' and processed_at is null`.execute(b.deps.store.db);
    if (waiting.rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));
export const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : '–');
