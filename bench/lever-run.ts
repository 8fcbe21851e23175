import type { Server } from 'node:http';
import { LeverSandbox, SANDBOX_API_KEY } from '../src/providers/lever/sandbox';
import type { SeedOptions } from '../src/providers/lever/sandbox-data';

// What the Lever benchmarks share: a Lever sandbox at Lever's documented limit, seeded with generated data, and a
// jobrelay connector backfilling from it through the real path (API → Temporal → activities → sandbox → store).

export const LEVER_LIMIT = { perSecond: 10, burst: 20 };
export const LEVER_PAGE_SIZE = 100;

export type Api = (method: string, url: string, body?: unknown) => Promise<any>;

export interface RunningLeverSandbox {
  sandbox: LeverSandbox;
  /** The v1 base a client is given, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  close(): void;
}

/** A sandbox at Lever's limit, seeded (the same seed gives the same records), listening on a free port. */
export async function startLeverSandbox(seed: SeedOptions): Promise<RunningLeverSandbox> {
  const sandbox = new LeverSandbox({ rateLimit: LEVER_LIMIT });
  sandbox.seed(seed);
  const server: Server = sandbox.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    sandbox,
    baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The least time Lever's limit allows for this many requests: the burst at once, the rest at the limit. */
export function floorSeconds(requests: number): number {
  return Math.max(0, requests - LEVER_LIMIT.burst) / LEVER_LIMIT.perSecond;
}

export interface BackfillOptions {
  name: string;
  resumes: boolean;
  startDate: string;
  includeConfidential?: boolean;
}

/** Creates a Lever connector on the sandbox and waits for its first run of every stream: the backfill. */
export async function backfillWithJobrelay(api: Api, baseUrl: string, options: BackfillOptions) {
  const started = Date.now();
  const connector = await api('POST', '/v1/connectors', {
    provider: 'lever',
    name: options.name,
    credentials: { apiKey: SANDBOX_API_KEY },
    settings: {
      baseUrl,
      companyCode: 'acme',
      postingState: 'published',
      distributionChannel: 'public',
      syncResumes: options.resumes,
      includeConfidential: options.includeConfidential ?? true,
      jobsStartDate: options.startDate,
      candidatesStartDate: options.startDate,
      pageSize: LEVER_PAGE_SIZE,
    },
  });
  const status = await untilRuns(api, connector.id, 1);
  return { connectorId: connector.id as string, seconds: (Date.now() - started) / 1000, status };
}

export async function untilRuns(api: Api, id: string, runs: number) {
  for (;;) {
    const c = await api('GET', `/v1/connectors/${id}`);
    const streams = Object.values(c.status?.streams ?? {}) as Array<{ totals: { runs: number }; running: boolean }>;
    if (c.state === 'failing') throw new Error(`connector failing: ${c.lastError}`);
    if (streams.length && streams.every((s) => s.totals.runs >= runs && !s.running)) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
}
