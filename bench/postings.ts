import { type BenchSystem, mib, percentile, sandboxPost, setUpCvLibraryBoard, startBenchSystem } from './harness';
import { recordResults } from './results';

const POSTINGS = Number(process.env.BENCH_POSTINGS ?? 300);
const RECRUITERS = 10;
/** Requests the client keeps in flight. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

/**
 * Posts many jobs to the CV-Library sandbox through the API (each recruiter on their own account, so
 * the board's per-account rate limit is shared out as in real life), then measures what the idle
 * postings cost the worker: their timers live in Temporal, not in memory.
 */
export async function run(): Promise<void> {
  const b = await startBenchSystem(process.env.BENCH_MAX_CACHED ? { TEMPORAL_MAX_CACHED_WORKFLOWS: process.env.BENCH_MAX_CACHED } : {});
  try {
    await setUp(b);
    await settle();
    const heapBefore = usedHeap();
    const started = Date.now();
    const acceptedAt = new Map<string, number>();
    const liveAfter = new Map<string, number>();
    let creating = true;
    let failed = false;
    // Watches the store (one query a round, not a GET a posting) for postings turning live.
    const watcher = (async () => {
      while (creating || liveAfter.size < acceptedAt.size) {
        if (failed) return;
        if (Date.now() - started > 600_000) throw new Error('postings did not all go live within 10 minutes');
        const rows = await b.deps.store.db.selectFrom('postings').select(['id', 'state', 'last_error']).execute();
        for (const r of rows) {
          const at = acceptedAt.get(r.id);
          if (at === undefined || liveAfter.has(r.id)) continue;
          if (r.state === 'live') liveAfter.set(r.id, Date.now() - at);
          else if (r.state === 'failed') throw new Error(`posting failed: ${r.last_error}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    // The client sends concurrently (bounded), as many recruiters' browsers would: the bench measures the server.
    let next = 0;
    const sender = async () => {
      for (let i = next++; i < POSTINGS; i = next++) {
        const recruiter = `recruiter${i % RECRUITERS}@bench.example`;
        const job = await b.api('POST', '/v1/jobs', aJob(i, recruiter));
        const posting = await b.api('POST', `/v1/jobs/${job.body.id}/postings`, { board: 'cv-library', autoRepost: true });
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
    const total = Date.now() - started;
    await settle();
    const heapIdle = usedHeap();
    const { jobs } = (await (await fetch(`${b.sandboxes.urlFor('cv-library')}/_sandbox/jobs`)).json()) as {
      jobs: Array<{ status: string }>;
    };
    const times = [...liveAfter.values()];
    console.log(`postings: ${POSTINGS} jobs posted to CV-Library (sandbox, ${RECRUITERS} recruiter accounts at its 10 req/s each)`);
    console.log(
      `  API accepted all in ${(accepted / 1000).toFixed(1)} s (${((POSTINGS * 2) / (accepted / 1000)).toFixed(0)} requests/s: create job + posting)`,
    );
    console.log(
      `  all live after ${(total / 1000).toFixed(1)} s = ${(POSTINGS / (total / 1000)).toFixed(1)} postings/s; from 202 to live on the board p50 ${percentile(times, 50)} ms, p99 ${percentile(times, 99)} ms`,
    );
    console.log(`  live jobs on the board: ${jobs.filter((j) => j.status === 'live').length} (expected ${POSTINGS})`);
    console.log(
      `  process heap with ${POSTINGS} idle postings: ${mib(heapIdle)} (before: ${mib(heapBefore)}; ${((heapIdle - heapBefore) / 1024 / POSTINGS).toFixed(1)} KiB per idle posting, the worker's workflow cache included)${global.gc ? '' : ' [no --expose-gc: heap figures are rough]'}, RSS ${mib(process.memoryUsage().rss)}`,
    );
    const memory = process.memoryUsage();
    console.log(
      `  process memory: RSS ${mib(memory.rss)} = V8 heap ${mib(memory.heapTotal)} + external ${mib(memory.external)} (array buffers and wasm memory: PGlite's database lives there) + native (Temporal core, workflow threads' isolates)`,
    );
    recordResults('postings', {
      postings: POSTINGS,
      clientConcurrency: CONCURRENCY,
      acceptedSeconds: accepted / 1000,
      allLiveSeconds: total / 1000,
      postingsPerSecond: Number((POSTINGS / (total / 1000)).toFixed(1)),
      toLiveP50Ms: percentile(times, 50),
      toLiveP99Ms: percentile(times, 99),
      liveOnBoard: jobs.filter((j) => j.status === 'live').length,
      heapIdleMiB: Number((heapIdle / 2 ** 20).toFixed(1)),
      processRssMiB: Number((memory.rss / 2 ** 20).toFixed(1)),
      externalMiB: Number((memory.external / 2 ** 20).toFixed(1)),
    });
  } finally {
    await b.stop();
  }
}

async function setUp(b: BenchSystem) {
  await setUpCvLibraryBoard(b, { genericAccount: false });
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

/** Lets in-flight work finish and collects garbage (with --expose-gc), so heap readings compare. */
async function settle() {
  await new Promise((r) => setTimeout(r, 1000));
  global.gc?.();
  global.gc?.();
}

function usedHeap(): number {
  return process.memoryUsage().heapUsed;
}
