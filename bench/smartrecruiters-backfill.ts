import { SANDBOX_API_KEY, SANDBOX_COMPANY, smartRecruitersSandboxOf } from '../src/providers/smartrecruiters/sandbox';
import { startBenchSystem } from './harness';

// A SmartRecruiters backfill through the real path (API → Temporal → activities → sandbox → store) against the
// sandbox at SmartRecruiters' documented limits: 10 requests/s per endpoint, 8 at once, GET /candidates one at a
// time per key (the client paces at its default, 9/s per endpoint). Prints the wall time against the request floor:
// the streams run one after the other, and within a stream each endpoint has its own limit, so the floor is, per
// stream, its busiest endpoint's requests ÷ 10/s, added up.

const DOCUMENTED_RATE = 10;

export async function run(): Promise<void> {
  const postings = Number(process.env.BENCH_SR_POSTINGS ?? 300);
  const candidates = Number(process.env.BENCH_SR_CANDIDATES ?? 300);
  const b = await startBenchSystem();
  try {
    const sandbox = smartRecruitersSandboxOf(b.sandboxes.apps.smartrecruiters);
    sandbox.seed({ postings, candidates, resumes: true, seed: 901 });
    const started = Date.now();
    const created = await b.api('POST', '/v1/connectors', {
      provider: 'smartrecruiters',
      name: 'bench',
      credentials: { apiKey: SANDBOX_API_KEY },
      settings: {
        baseUrl: b.sandboxes.urlFor('smartrecruiters'),
        companyIdentifier: SANDBOX_COMPANY,
        candidatesStartDate: '2000-01-01',
        syncResumes: true,
      },
    });
    if (created.status !== 201) throw new Error(`connector not created: ${JSON.stringify(created.body)}`);
    const done = await untilRuns(b, created.body.id, 1);
    const wall = (Date.now() - started) / 1000;

    const byEndpoint = new Map<string, number>();
    for (const r of sandbox.requests) byEndpoint.set(r.endpoint, (byEndpoint.get(r.endpoint) ?? 0) + 1);
    const count = (prefix: string) => [...byEndpoint].filter(([e]) => e.startsWith(prefix)).map(([, n]) => n);
    const floor = Math.max(...count('GET /v1/companies'), 0) / DOCUMENTED_RATE + Math.max(...count('GET /candidates'), 0) / DOCUMENTED_RATE;
    const requests = sandbox.requests.length;
    console.log(
      [
        `SmartRecruiters backfill at the documented limits (${DOCUMENTED_RATE} req/s per endpoint, 8 at once, GET /candidates 1 at a time):`,
        `  ${postings} postings, ${candidates} candidates (résumés on): jobs created ${done.status.streams.jobs.created}, candidates created ${done.status.streams.candidates.created}`,
        `  ${requests} requests: ${[...byEndpoint].map(([e, n]) => `${e} ${n}`).join(', ')}`,
        `  request floor ${floor.toFixed(1)} s (per stream, its busiest endpoint ÷ ${DOCUMENTED_RATE}/s), wall ${wall.toFixed(1)} s, ratio ${(wall / floor).toFixed(2)}`,
        `  over a limit: ${sandbox.violations.rate} rate, ${sandbox.violations.concurrency} concurrency`,
      ].join('\n'),
    );
    const before = sandbox.requests.length;
    await b.api('POST', `/v1/connectors/${created.body.id}/sync`, {});
    await untilRuns(b, created.body.id, 2);
    console.log(
      `  no-change cycle: ${sandbox.requests.length - before} requests (${Math.ceil(postings / 100)} postings list pages + 1 candidates list, and the job ads due for their hourly re-read)`,
    );
  } finally {
    await b.stop();
  }
}

async function untilRuns(b: Awaited<ReturnType<typeof startBenchSystem>>, id: string, runs: number) {
  for (;;) {
    const c = (await b.api('GET', `/v1/connectors/${id}`)).body;
    const streams = Object.values(c.status?.streams ?? {}) as Array<{ totals: { runs: number }; running: boolean }>;
    if (c.state === 'failing') throw new Error(`connector failing: ${c.lastError}`);
    if (streams.length && streams.every((s) => s.totals.runs >= runs && !s.running)) return c;
    await new Promise((r) => setTimeout(r, 200));
  }
}
