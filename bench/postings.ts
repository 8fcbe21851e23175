import { type BenchSystem, mib, percentile, sandboxPost, setUpCvLibraryBoard, startBenchSystem } from './harness';
import { checkExpiry, EXPIRY_DAYS, type ExpiryFigures, lifetimeFor, shortenLifetimes } from './posting-expiry';
import { recordResults } from './results';
import { cpuMsOf, residentBytes } from './sandbox-process';

const POSTINGS = Number(process.env.BENCH_POSTINGS ?? 300);
const RECRUITERS = 10;
/** Requests the client keeps in flight. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** BENCH_EXPIRY=0 skips the expiry phase. */
const EXPIRY = process.env.BENCH_EXPIRY !== '0';

/**
 * Posts many jobs to the CV-Library sandbox through the API (each recruiter on their own account, so the board's
 * per-account rate limit is shared out as in real life), measures what the idle postings cost the process (the
 * sandboxes run in a process of their own), then lets every posting reach its board expiry: half are reposted
 * (auto-repost), half expire, and the bench checks from history and the store when each fired and that each
 * happened once.
 */
export async function run(): Promise<void> {
  const { BENCH_MAX_CACHED, TEMPORAL_MAX_CONCURRENT_WORKFLOW_TASKS } = process.env;
  const b = await startBenchSystem(
    {
      ...(BENCH_MAX_CACHED && { TEMPORAL_MAX_CACHED_WORKFLOWS: BENCH_MAX_CACHED }),
      ...(TEMPORAL_MAX_CONCURRENT_WORKFLOW_TASKS && { TEMPORAL_MAX_CONCURRENT_WORKFLOW_TASKS }),
      ...(process.env.PGLITE_VACUUM_AFTER_ROWS && { PGLITE_VACUUM_AFTER_ROWS: process.env.PGLITE_VACUUM_AFTER_ROWS }),
    },
    { sandboxesApart: true },
  );
  try {
    await setUp(b);
    // The board's postings last `lifetime` instead of a day, so their expiry comes within the bench.
    const lifetime = lifetimeFor(POSTINGS);
    if (EXPIRY) await shortenLifetimes(b, lifetime);
    await settle();
    const heapBefore = usedHeap();
    const cpuBefore = cpuNow(b);
    const started = Date.now();
    const { acceptedAt, liveAfter, accepted, resent } = await postAll(b, started);
    const total = Date.now() - started;
    const cpu = cpuNow(b, cpuBefore);
    await settle();
    const heapIdle = usedHeap();
    const memory = process.memoryUsage();
    const sandboxRss = b.sandboxes.rss?.() ?? Number.NaN;
    const devServerRss = residentBytes(b.devServer.process.pid!);
    const ready = await b.api('GET', '/readyz');
    const { jobs } = (await (await fetch(`${b.sandboxes.urlFor('cv-library')}/_sandbox/jobs`)).json()) as {
      jobs: Array<{ status: string }>;
    };
    const stats = (await (await fetch(`${b.sandboxes.urlFor('cv-library')}/_sandbox/stats`)).json()) as { requests: number };
    const times = [...liveAfter.values()];
    const lastAccepted = Math.max(...acceptedAt.values());
    const liveAfterLast = started + total - lastAccepted;
    console.log(`postings: ${POSTINGS} jobs posted to CV-Library (sandbox, ${RECRUITERS} recruiter accounts at its 10 req/s each)`);
    console.log(
      `  API accepted all in ${(accepted / 1000).toFixed(1)} s (${((POSTINGS * 2) / (accepted / 1000)).toFixed(0)} requests/s: create job + posting; ${CONCURRENCY} in flight; ${resent} sent again after a dropped connection)`,
    );
    console.log(
      `  all live after ${(total / 1000).toFixed(1)} s = ${(POSTINGS / (total / 1000)).toFixed(1)} postings/s, ${(liveAfterLast / 1000).toFixed(1)} s after the last 202; from 202 to live p50 ${percentile(times, 50)} ms, p99 ${percentile(times, 99)} ms`,
    );
    console.log(
      `  board: ${jobs.filter((j) => j.status === 'live').length} live jobs (expected ${POSTINGS}); ${stats.requests} API requests (floor ${POSTINGS}; the rest 429s and retries); its floor at 10 req/s × ${RECRUITERS} accounts: ${(POSTINGS / (10 * RECRUITERS)).toFixed(0)} s`,
    );
    console.log(
      `  CPU a posting: jobrelay process ${(cpu.jobrelay / POSTINGS).toFixed(1)} ms (API, worker, workflow thread, PGlite, the bench's client), Temporal dev server ${(cpu.devServer / POSTINGS).toFixed(1)} ms, sandbox ${(cpu.sandbox / POSTINGS).toFixed(1)} ms`,
    );
    console.log(
      `  with ${POSTINGS} idle postings: jobrelay process (API + worker + PGlite) RSS ${mib(memory.rss)} = V8 heap ${mib(memory.heapTotal)} + external ${mib(memory.external)} (PGlite's wasm memory) + native (Temporal core, workflow thread); heap used ${mib(heapIdle)} (before ${mib(heapBefore)}, ${((heapIdle - heapBefore) / 1024 / POSTINGS).toFixed(1)} KiB a posting)`,
    );
    console.log(
      `  apart: sandbox process RSS ${mib(sandboxRss)}, Temporal dev server RSS ${mib(devServerRss)}; /readyz ${ready.status} ${JSON.stringify(ready.body?.checks ?? {})}`,
    );
    let expiry: ExpiryFigures | undefined;
    let expiryCpu: Record<string, number> = {};
    if (EXPIRY) {
      const before = cpuNow(b);
      let ended = before;
      expiry = await checkExpiry(b, { postingIds: [...acceptedAt.keys()], lifetime, whenAllEnded: () => (ended = cpuNow(b, before)) });
      const spent = cpuNow(b, before);
      // The whole phase: the waits and the bench's own history reads included; and until every posting had ended.
      console.log(
        `  CPU of the expiry phase a posting: jobrelay process ${(spent.jobrelay / POSTINGS).toFixed(1)} ms, Temporal dev server ${(spent.devServer / POSTINGS).toFixed(1)} ms; until the last had ended (the bench's history reads after it left out): ${(ended.jobrelay / POSTINGS).toFixed(1)} + ${(ended.devServer / POSTINGS).toFixed(1)} ms`,
      );
      expiryCpu = {
        expiryCpuMsPerPosting: Number((spent.jobrelay / POSTINGS).toFixed(1)),
        expiryDevServerCpuMsPerPosting: Number((spent.devServer / POSTINGS).toFixed(1)),
        expiryUntilEndedCpuMsPerPosting: Number((ended.jobrelay / POSTINGS).toFixed(1)),
        expiryUntilEndedDevServerCpuMsPerPosting: Number((ended.devServer / POSTINGS).toFixed(1)),
      };
    }
    recordResults('postings', {
      postings: POSTINGS,
      clientConcurrency: CONCURRENCY,
      requestsSentAgain: resent,
      acceptedSeconds: accepted / 1000,
      allLiveSeconds: total / 1000,
      liveAfterLastRequestSeconds: liveAfterLast / 1000,
      postingsPerSecond: Number((POSTINGS / (total / 1000)).toFixed(1)),
      toLiveP50Ms: percentile(times, 50),
      toLiveP99Ms: percentile(times, 99),
      liveOnBoard: jobs.filter((j) => j.status === 'live').length,
      boardRequests: stats.requests,
      cpuMsPerPosting: Number((cpu.jobrelay / POSTINGS).toFixed(1)),
      devServerCpuMsPerPosting: Number((cpu.devServer / POSTINGS).toFixed(1)),
      heapIdleMiB: Number((heapIdle / 2 ** 20).toFixed(1)),
      processRssMiB: Number((memory.rss / 2 ** 20).toFixed(1)),
      externalMiB: Number((memory.external / 2 ** 20).toFixed(1)),
      sandboxRssMiB: Number((sandboxRss / 2 ** 20).toFixed(1)),
      devServerRssMiB: Number((devServerRss / 2 ** 20).toFixed(1)),
      ready: ready.status === 200,
      ...expiry,
      ...expiryCpu,
    });
  } finally {
    await b.stop();
  }
}

/** Sends every posting (bounded concurrency, as many recruiters' browsers would) and waits until all are live. */
async function postAll(b: BenchSystem, started: number) {
  const acceptedAt = new Map<string, number>();
  const liveAfter = new Map<string, number>();
  let resent = 0;
  let creating = true;
  let failed = false;
  // Watches the store for postings turning live: one query a round, for the rows changed since the last.
  const watcher = (async () => {
    let since = new Date(0);
    while (creating || liveAfter.size < acceptedAt.size) {
      if (failed) return;
      if (Date.now() - started > 900_000) throw new Error('postings did not all go live within 15 minutes');
      const round = new Date(Date.now() - 1000); // overlaps the last round: a row written as it ran is read again
      const rows = await b.deps.store.db
        .selectFrom('postings')
        .select(['id', 'state', 'last_error'])
        .where('state', '<>', 'pending')
        .where('updated_at', '>=', since)
        .execute();
      since = round;
      for (const r of rows) {
        const at = acceptedAt.get(r.id);
        if (at === undefined || liveAfter.has(r.id)) continue;
        if (r.state === 'live') liveAfter.set(r.id, Date.now() - at);
        else if (r.state === 'failed') throw new Error(`posting failed: ${r.last_error}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  let next = 0;
  // A connection dropped before any answer is sent again, as a browser would: a job sent twice is a second job
  // without a posting, a posting sent twice is the same posting. Counted, so the figures show it.
  const send = async (method: string, path: string, body: unknown) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await b.api(method, path, body);
      } catch (err) {
        if (attempt === 3 || !(err instanceof TypeError)) throw err;
        resent++;
      }
    }
  };
  const sender = async () => {
    for (let i = next++; i < POSTINGS; i = next++) {
      const recruiter = `recruiter${i % RECRUITERS}@bench.example`;
      const job = await send('POST', '/v1/jobs', aJob(i, recruiter));
      // Half are reposted when they expire, half expire.
      const posting = await send('POST', `/v1/jobs/${job.body.id}/postings`, { board: 'cv-library', autoRepost: i % 2 === 0 });
      if (posting.status !== 202) throw new Error(`posting refused: ${posting.status} ${JSON.stringify(posting.body)}`);
      acceptedAt.set(posting.body.id, Date.now());
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  } catch (err) {
    failed = true; // the watcher stops before the store closes
    await watcher.catch(() => undefined);
    throw err;
  } finally {
    creating = false;
  }
  const accepted = Date.now() - started;
  await watcher;
  return { acceptedAt, liveAfter, accepted, resent };
}

async function setUp(b: BenchSystem) {
  await setUpCvLibraryBoard(b, { genericAccount: false, expiryDays: EXPIRY_DAYS });
  for (let r = 0; r < RECRUITERS; r++) {
    const email = `recruiter${r}@bench.example`;
    await sandboxPost(b, 'cv-library', '/_sandbox/accounts', { username: `r${r}`, password: `pw${r}`, posterEmails: [email] });
    await b.api('PUT', `/v1/boards/cv-library/accounts/${email}`, {
      credentials: { username: `r${r}`, password: `pw${r}` },
      posterEmail: email,
    });
  }
}

function aJob(i: number, recruiterEmail: string) {
  return {
    reference: `BENCH-${i}`,
    title: `Benchmark role ${i}`,
    description: '<p>A role.</p>',
    location: { city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' },
    employmentStatus: 'full-time',
    recruiter: { name: `Recruiter ${i % RECRUITERS}`, email: recruiterEmail },
  };
}

/** CPU time (ms) used by each process so far, or since `since`. */
function cpuNow(b: BenchSystem, since = { jobrelay: 0, devServer: 0, sandbox: 0 }) {
  const { user, system } = process.cpuUsage();
  return {
    jobrelay: (user + system) / 1000 - since.jobrelay,
    devServer: cpuMsOf(b.devServer.process.pid!) - since.devServer,
    sandbox: (b.sandboxes.cpuMs?.() ?? Number.NaN) - since.sandbox,
  };
}

/** Lets in-flight work finish and collects garbage (with --expose-gc), so heap readings compare. */
async function settle() {
  await new Promise((r) => setTimeout(r, 1000));
  global.gc?.();
  global.gc?.();
}

function usedHeap(): number {
  return process.memoryUsage().heapUsed;
}
