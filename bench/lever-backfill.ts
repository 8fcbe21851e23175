import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { buildDeps } from '../src/deps';
import { createLogger } from '../src/logger';
import { freePort } from '../src/net';
import { startSystem } from '../src/system';
import { startDevServer } from '../src/tooling/dev-server';
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
// share of the ceiling (limit × page size), and the requests a cycle costs when nothing changed.

interface Scenario {
  label: string;
  opportunities: number;
  postings: number;
  resumes: boolean;
}

export async function run(): Promise<void> {
  const scenarios: Scenario[] = [
    { label: 'candidates only', opportunities: Number(process.env.BENCH_LEVER_OPPORTUNITIES ?? 5000), postings: 200, resumes: false },
    { label: 'with resumes', opportunities: Number(process.env.BENCH_LEVER_RESUME_OPPORTUNITIES ?? 200), postings: 20, resumes: true },
  ];
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
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
      `Lever backfill against Lever's limit (${LIMIT.perSecond} req/s, burst ${LIMIT.burst}; the client paces at its default, just under), page size ${PAGE_SIZE}:`,
    );
    const figures: Figures = {};
    for (const [i, scenario] of scenarios.entries()) Object.assign(figures, await runScenario(scenario, i, api));
    recordResults('lever', figures);
  } finally {
    await system.stop();
    await deps.store.close();
    await devServer.stop();
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
  try {
    const backfill = await backfillWithJobrelay(api, baseUrl, {
      name: `bench ${scenario.label}`,
      resumes: scenario.resumes,
      startDate: '2000-01-01',
    });
    const { connectorId, seconds, status: first } = backfill;
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
      ].join('\n'),
    );
    const key = scenario.resumes ? 'withResumes' : 'candidatesOnly';
    return {
      [`${key}.opportunities`]: scenario.opportunities,
      [`${key}.requests`]: requests,
      [`${key}.floorSeconds`]: Number(floorSeconds.toFixed(1)),
      [`${key}.wallSeconds`]: Number(seconds.toFixed(1)),
      [`${key}.ratioToFloor`]: Number((seconds / floorSeconds).toFixed(2)),
      [`${key}.recordsPerSecond`]: Math.round(rate),
      [`${key}.peakRssMiB`]: Math.round(peakRss / 2 ** 20),
      [`${key}.noChangeRequests`]: quiet,
    };
  } finally {
    clearInterval(sampler);
    close();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
