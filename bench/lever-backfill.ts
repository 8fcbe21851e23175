import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { buildDeps } from '../src/deps';
import { createLogger } from '../src/logger';
import { freePort } from '../src/net';
import { LeverSandbox, SANDBOX_API_KEY } from '../src/providers/lever/sandbox';
import { startSystem } from '../src/system';
import { startDevServer } from '../src/tooling/dev-server';
import { type Figures, recordResults } from './results';

// A full Lever backfill through the real path (API → Temporal → activities → sandbox → store) with the sandbox and
// the client both at Lever's documented limit (10 requests/s, bursts of 20). Prints records/s, that rate as a
// share of the ceiling (limit × page size), and the requests a cycle costs when nothing changed.

const LIMIT = { perSecond: 10, burst: 20 };
const PAGE_SIZE = 100;

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
  const sandbox = new LeverSandbox({ rateLimit: LIMIT });
  sandbox.seed({ postings: scenario.postings, opportunities: scenario.opportunities, resumes: scenario.resumes, seed: 500 + index });
  const server = sandbox.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    const started = Date.now();
    const connector = await api('POST', '/v1/connectors', {
      provider: 'lever',
      name: `bench ${scenario.label}`,
      credentials: { apiKey: SANDBOX_API_KEY },
      settings: {
        baseUrl,
        companyCode: 'acme',
        postingState: 'published',
        distributionChannel: 'public',
        syncResumes: scenario.resumes,
        jobsStartDate: '2000-01-01',
        candidatesStartDate: '2000-01-01',
        pageSize: PAGE_SIZE,
      },
    });
    const first = await untilRuns(api, connector.id, 1);
    const seconds = (Date.now() - started) / 1000;
    const records = scenario.opportunities + scenario.postings;
    const requests = sandbox.requests.length;
    const ceiling = LIMIT.perSecond * PAGE_SIZE;
    const rejected = sandbox.requests.filter((r) => r.status === 429).length;
    const before = sandbox.requests.length;
    await api('POST', `/v1/connectors/${connector.id}/sync`, {});
    await untilRuns(api, connector.id, 2);
    const quiet = sandbox.requests.length - before;
    const rate = records / seconds;
    // The least time Lever's limit allows for these requests: the burst at once, the rest at the limit.
    const floorSeconds = Math.max(0, requests - LIMIT.burst) / LIMIT.perSecond;
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
    server.closeAllConnections();
    server.close();
  }
}

async function untilRuns(api: (m: string, u: string) => Promise<any>, id: string, runs: number) {
  for (;;) {
    const c = await api('GET', `/v1/connectors/${id}`);
    const streams = Object.values(c.status?.streams ?? {}) as Array<{ totals: { runs: number }; running: boolean }>;
    if (c.state === 'failing') throw new Error(`connector failing: ${c.lastError}`);
    if (streams.length && streams.every((s) => s.totals.runs >= runs && !s.running)) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
