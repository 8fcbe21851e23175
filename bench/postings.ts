import { type BenchSystem, mib, percentile, sandboxPost, setUpCvLibraryBoard, startBenchSystem } from './harness';

const POSTINGS = Number(process.env.BENCH_POSTINGS ?? 300);
const RECRUITERS = 10;

/**
 * Posts many jobs to the CV-Library sandbox through the API (each recruiter on their own account, so
 * the board's per-account rate limit is shared out as in real life), then measures what the idle
 * postings cost the worker: their timers live in Temporal, not in memory.
 */
export async function run(): Promise<void> {
  const b = await startBenchSystem();
  try {
    await setUp(b);
    await settle();
    const heapBefore = usedHeap();
    const started = Date.now();
    const acceptedAt = new Map<string, number>();
    const liveAfter = new Map<string, number>();
    let creating = true;
    const watcher = (async () => {
      while (creating || liveAfter.size < acceptedAt.size) {
        if (Date.now() - started > 300_000) throw new Error('postings did not all go live within 5 minutes');
        for (const [id, at] of acceptedAt) {
          if (liveAfter.has(id)) continue;
          const p = await b.api('GET', `/v1/postings/${id}`);
          if (p.body.state === 'live') liveAfter.set(id, Date.now() - at);
          else if (p.body.state === 'failed') throw new Error(`posting failed: ${p.body.lastError}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    for (let i = 0; i < POSTINGS; i++) {
      const recruiter = `recruiter${i % RECRUITERS}@bench.example`;
      const job = await b.api('POST', '/v1/jobs', aJob(i, recruiter));
      const posting = await b.api('POST', `/v1/jobs/${job.body.id}/postings`, { board: 'cv-library', autoRepost: true });
      acceptedAt.set(posting.body.id, Date.now());
    }
    const accepted = Date.now() - started;
    creating = false;
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
