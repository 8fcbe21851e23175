import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { buildDeps } from '../src/deps';
import { createLogger } from '../src/logger';
import { freePort } from '../src/net';
import { startSystem } from '../src/system';
import { installRuntime } from '../src/temporal/runtime';
import { startDevServer } from '../src/tooling/dev-server';
import { percentile, threadCpuSeconds, threadCpuSince } from './harness';
import {
  backfillWithJobrelay,
  floorSeconds as floorFor,
  LEVER_LIMIT as LIMIT,
  LEVER_PAGE_SIZE as PAGE_SIZE,
  startLeverSandbox,
  untilRuns,
} from './lever-run';
import { type Figures, recordResults } from './results';

// A full Lever backfill through the real path (API → Temporal → activities → sandbox → store) with the sandbox and
// the client both at Lever's documented limit (10 requests/s, bursts of 20). Prints records/s, that rate as a
// share of the ceiling (limit × page size), the wall time against the request floor, how fast `GET /v1/candidates`
// answers meanwhile, and the requests a cycle costs when nothing changed.
//   BENCH_LEVER_SIZES=5000,50000     opportunities of each backfill without résumés (default 5000)
//   BENCH_LEVER_RESUME_OPPORTUNITIES  opportunities of the backfill with résumés (default 200; 0 skips it)
//   BENCH_STORE=postgres              on a throw-away PostgreSQL server instead of PGlite (figures as `lever-postgres`)

interface Scenario {
  label: string;
  opportunities: number;
  postings: number;
  resumes: boolean;
}

export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_LEVER_SIZES ?? process.env.BENCH_LEVER_OPPORTUNITIES ?? '5000').split(',').map(Number);
  const withResumes = Number(process.env.BENCH_LEVER_RESUME_OPPORTUNITIES ?? 200);
  const scenarios: Scenario[] = [
    ...sizes.map((opportunities) => ({ label: 'candidates only', opportunities, postings: 200, resumes: false })),
    ...(withResumes > 0 ? [{ label: 'with resumes', opportunities: withResumes, postings: 20, resumes: true }] : []),
  ];
  const postgres =
    process.env.BENCH_STORE === 'postgres' ? await (await import('../test/helpers/postgres')).startPostgres(await freePort()) : undefined;
  try {
    installRuntime({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  } catch {
    // installed already by another bench module
  }
  const devServer = await startDevServer({ port: await freePort() });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-bench-'));
  const token = 'bench-token-0123456789';
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    JOBRELAY_API_TOKEN: token,
    JOBRELAY_ALLOWED_PROVIDER_ORIGINS: 'http://127.0.0.1:*',
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: 'bench-lever',
    ...(postgres && { DATABASE_URL: postgres.url }),
  });
  const deps = await buildDeps(config, createLogger('silent'));
  const system = await startSystem({ deps });
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${system.apiUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as any;
  };
  try {
    console.log(
      `Lever backfill on ${postgres ? 'PostgreSQL' : 'PGlite'} against Lever's limit (${LIMIT.perSecond} req/s, burst ${LIMIT.burst}; the client paces at its default, just under), page size ${PAGE_SIZE}:`,
    );
    const figures: Figures = {};
    for (const [i, scenario] of scenarios.entries()) Object.assign(figures, await runScenario(scenario, i, api));
    recordResults(postgres ? 'lever-postgres' : 'lever', figures);
  } finally {
    await system.stop();
    await deps.store.close();
    await devServer.stop();
    await postgres?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runScenario(scenario: Scenario, index: number, api: (m: string, u: string, b?: unknown) => Promise<any>): Promise<Figures> {
  const { sandbox, baseUrl, close } = await startLeverSandbox({
    postings: scenario.postings,
    opportunities: scenario.opportunities,
    resumes: scenario.resumes,
    seed: 500 + index,
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const reads = readCandidatesMeanwhile(api);
  try {
    const cpuBefore = process.cpuUsage();
    const threadsBefore = threadCpuSeconds();
    const backfill = await backfillWithJobrelay(api, baseUrl, {
      name: `bench ${scenario.label}`,
      resumes: scenario.resumes,
      startDate: '2000-01-01',
    });
    const { connectorId, seconds, status: first } = backfill;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const threads = threadCpuSince(threadsBefore);
    const mainThread = threads.find(([tid]) => tid === String(process.pid))?.[1] ?? 0;
    const others = threads.filter(([tid]) => tid !== String(process.pid)).slice(0, 3);
    const readMs = await reads.stop();
    const records = scenario.opportunities + scenario.postings;
    const requests = sandbox.requests.length;
    const ceiling = LIMIT.perSecond * PAGE_SIZE;
    const rejected = sandbox.requests.filter((r) => r.status === 429).length;
    const before = sandbox.requests.length;
    await api('POST', `/v1/connectors/${connectorId}/sync`, {});
    await untilRuns(api, connectorId, 2);
    const quiet = sandbox.requests.length - before;
    const rate = records / seconds;
    const floorSeconds = floorFor(requests);
    console.log(
      [
        `  ${scenario.label}: ${records} records (${scenario.opportunities} opportunities, ${scenario.postings} postings) in ${seconds.toFixed(1)} s`,
        `    ${rate.toFixed(0)} records/s = ${((100 * rate) / ceiling).toFixed(1)}% of the ceiling (${ceiling} records/s = ${LIMIT.perSecond} req/s × ${PAGE_SIZE})`,
        `    ${requests} requests (${(requests / seconds).toFixed(1)} req/s, ${((100 * requests) / seconds / LIMIT.perSecond).toFixed(0)}% of the limit; ${rejected} answered 429), ${(requests / records).toFixed(2)} requests/record`,
        `    candidates created ${first.status.streams.candidates.created}, jobs created ${first.status.streams.jobs.created}`,
        `    no-change cycle: ${quiet} requests for ${Object.keys(first.status.streams).length} streams`,
        `    request floor ${floorSeconds.toFixed(1)} s, wall ${seconds.toFixed(1)} s: ${(seconds / floorSeconds).toFixed(2)}× the floor; peak process RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (worker, API, store and sandbox together)`,
        `    process CPU ${cpuSeconds.toFixed(1)} s (${((1000 * cpuSeconds) / records).toFixed(2)} ms a record); GET /v1/candidates during the backfill: ${readMs.length} reads, p50 ${percentile(readMs, 50).toFixed(0)} ms, p99 ${percentile(readMs, 99).toFixed(0)} ms`,
        ...(threads.length
          ? [
              `    CPU by thread: main ${mainThread.toFixed(2)} s, the busiest others ${others.map(([, s]) => `${s.toFixed(2)} s (${((1000 * s) / records).toFixed(2)} ms a record)`).join(', ')} (on PGlite the busiest is PGlite's thread)`,
            ]
          : []),
      ].join('\n'),
    );
    const key = `${scenario.resumes ? 'withResumes' : 'candidatesOnly'}.${scenario.opportunities}`;
    return {
      [`${key}.opportunities`]: scenario.opportunities,
      [`${key}.requests`]: requests,
      [`${key}.floorSeconds`]: Number(floorSeconds.toFixed(1)),
      [`${key}.wallSeconds`]: Number(seconds.toFixed(1)),
      [`${key}.ratioToFloor`]: Number((seconds / floorSeconds).toFixed(2)),
      [`${key}.recordsPerSecond`]: Math.round(rate),
      [`${key}.peakRssMiB`]: Math.round(peakRss / 2 ** 20),
      [`${key}.noChangeRequests`]: quiet,
      [`${key}.cpuSeconds`]: Number(cpuSeconds.toFixed(1)),
      ...(others.length && { [`${key}.busiestOtherThreadCpuSeconds`]: Number(others[0][1].toFixed(2)) }),
      [`${key}.candidatesReadP50Ms`]: Math.round(percentile(readMs, 50)),
      [`${key}.candidatesReadP99Ms`]: Math.round(percentile(readMs, 99)),
    };
  } finally {
    await reads.stop();
    clearInterval(sampler);
    close();
  }
}

/** `GET /v1/candidates` one after another (a pause of 50 ms between) until stopped: each answer's time, in ms. */
function readCandidatesMeanwhile(api: (m: string, u: string) => Promise<any>) {
  const times: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      await api('GET', '/v1/candidates?limit=50');
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return times;
    },
  };
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
