import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { freePort } from '../../src/net';
import { LeverSandbox, SANDBOX_API_KEY } from '../../src/providers/lever/sandbox';
import { type System, startSystem } from '../../src/system';
import { expectedFrom, leverConnector } from '../fixtures/connectors';
import { testServers, uniqueTaskQueue } from '../helpers/env';
import { LOOPBACK_SANDBOXES } from '../helpers/origins';
import { describeWithPostgres } from '../helpers/postgres';
import { createTestDatabase, type TestDatabase } from '../helpers/stores';
import { apiWithToken } from '../helpers/system';
import { waitFor } from '../helpers/wait';
import { WorkerProcess } from '../helpers/worker-process';

// The worker is killed (SIGKILL) in the middle of a Lever backfill page and a new one is started: the sync must
// finish with every record exactly once. The worker runs as its own OS process (`worker.ts`, as `npm run worker`
// runs it), so PostgreSQL is needed: PGlite lives inside one process.

const TOKEN = 'crash-test-token-0123456789';
const OPPORTUNITIES = 600;
const PAGE_SIZE = 25;
/** The worker dies on this candidates page (1-based), once this many of its resumes were asked for. */
const KILL_ON_PAGE = 6;
const KILL_AFTER_RESUMES = 10;

const describeWhenPostgres = describeWithPostgres('the worker crash test');

describeWhenPostgres('worker killed (SIGKILL) in the middle of a Lever backfill', () => {
  let database: TestDatabase;
  const workers: WorkerProcess[] = [];
  let env: Record<string, string>;
  let deps: Deps;
  let system: System;
  let sandbox: LeverSandbox;
  let sandboxServer: http.Server;
  let sandboxUrl: string;
  /** Called with each request's path before the sandbox answers it. */
  let onSandboxRequest: ((pathname: string) => void) | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('crash');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-crash-'));
    // What the API process and every worker process share: the database, the key sealing credentials, Temporal.
    env = {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      JOBRELAY_SECRET_KEY: randomBytes(32).toString('base64'),
      TEMPORAL_ADDRESS: testServers.temporalAddress(),
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('crash'),
      LOG_LEVEL: 'warn',
      JOBRELAY_ALLOWED_PROVIDER_ORIGINS: LOOPBACK_SANDBOXES,
    };
    const port = await freePort();
    // The API alone in this process (it migrates the new database before any worker starts).
    deps = await buildDeps(loadConfig({ ...env, PORT: String(port), JOBRELAY_API_TOKEN: TOKEN }), createLogger('silent'));
    system = await startSystem({ deps, withoutWorker: true });

    sandbox = new LeverSandbox({ rateLimit: { perSecond: 2000, burst: 200 } });
    sandboxServer = http.createServer((req, res) => {
      onSandboxRequest?.(new URL(req.url ?? '/', 'http://sandbox').pathname);
      sandbox.app(req, res);
    });
    await new Promise<void>((resolve) => sandboxServer.listen(0, '127.0.0.1', resolve));
    sandboxUrl = `http://127.0.0.1:${(sandboxServer.address() as { port: number }).port}/v1`;
  });

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await system?.client.workflow
      .getHandle(`sync:${connectorId}`)
      .terminate('test over')
      .catch(() => undefined);
    await system?.stop();
    await deps?.store.close();
    sandboxServer?.closeAllConnections();
    await new Promise((resolve) => sandboxServer?.close(resolve));
    if (env?.DATA_DIR) fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
    await database?.drop();
  });

  let connectorId = '';
  const api = apiWithToken(() => system.apiUrl, TOKEN);
  const count = async (table: 'candidates' | 'candidate_sources' | 'applications' | 'documents' | 'jobs' | 'connector_records') =>
    Number(
      (
        await deps.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const startWorker = (extra: Record<string, string> = {}) => {
    const w = new WorkerProcess({ ...env, ...extra });
    workers.push(w);
    return w;
  };

  it('resumes the interrupted page on a new worker: every candidate, application and resume exactly once, cursors moved on', async () => {
    sandbox.seed({ postings: 20, opportunities: OPPORTUNITIES, resumes: true, seed: 4242 });
    const expected = expectedFrom(sandbox);
    const first = startWorker();

    // Kill the worker well into page KILL_ON_PAGE: some of its opportunities written, more resumes being fetched. The
    // engine asks for the next page as a page's writes begin, so page N is being written once list N+1 went out.
    let listed = 0;
    let resumesOnPage = 0;
    let killedAtRequest = -1;
    const killed = new Promise<void>((resolve) => {
      onSandboxRequest = (pathname) => {
        if (pathname === '/v1/opportunities') {
          listed += 1;
          resumesOnPage = 0;
        } else if (/^\/v1\/opportunities\/[^/]+\/resumes$/.test(pathname)) resumesOnPage += 1;
        if (killedAtRequest < 0 && listed === KILL_ON_PAGE + 1 && resumesOnPage === KILL_AFTER_RESUMES) {
          killedAtRequest = sandbox.requests.length;
          first.child.kill('SIGKILL');
          onSandboxRequest = undefined;
          resolve();
        }
      };
    });

    const created = await api('POST', '/v1/connectors', leverConnector(sandboxUrl, SANDBOX_API_KEY, { pageSize: PAGE_SIZE }));
    expect(created.status).toBe(201);
    connectorId = created.body.id;
    await first.killedWithin(killed, 90_000, () => `page ${listed - 1}`);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The dead worker left page KILL_ON_PAGE half written: more than the pages before it, less than with it.
    const pagesDone = (KILL_ON_PAGE - 1) * PAGE_SIZE;
    const documentsAtKill = await count('documents');
    expect(documentsAtKill).toBeGreaterThan(pagesDone);
    expect(documentsAtKill).toBeLessThan(pagesDone + PAGE_SIZE);
    const killedPage = sandbox.requests.filter((r) => r.path === '/v1/opportunities')[KILL_ON_PAGE - 1];
    expect(killedPage.query.offset).toBeDefined();

    // A new worker process takes over once Temporal sees the page's heartbeats stop.
    const metricsPort = await freePort();
    const second = startWorker({ WORKER_METRICS_PORT: String(metricsPort) });
    const done = await waitFor(
      async () => {
        if (!second.running) throw new Error(`the second worker exited: ${second.output.slice(-3000)}`);
        return (await api('GET', `/v1/connectors/${connectorId}`)).body;
      },
      (c) => {
        const streams = Object.values(c.status?.streams ?? {}) as Array<{ totals: { runs: number }; running: boolean }>;
        return streams.length === 2 && streams.every((s) => s.totals.runs >= 1 && !s.running);
      },
      90_000,
      'the backfill to finish on the second worker',
    );

    // The retry asked Lever for the interrupted page again (its offset), not for the backfill from the start.
    const resumed = sandbox.requests.slice(killedAtRequest).find((r) => r.path === '/v1/opportunities');
    expect(resumed?.query.offset).toBe(killedPage.query.offset);

    // Everything exactly once (a database of this test's own: totals are this sandbox's records).
    expect(await count('candidates')).toBe(expected.contacts.size);
    expect(await count('candidate_sources')).toBe(expected.contacts.size);
    expect(await count('applications')).toBe(expected.applications.size);
    expect(await count('documents')).toBe(expected.resumes);
    expect(expected.resumes).toBe(OPPORTUNITIES);
    expect(await count('jobs')).toBe(expected.jobs.length);
    expect(await count('connector_records')).toBe(OPPORTUNITIES + sandbox.postings.size);

    // Each page counted once; the records the dead worker had written came back as unchanged, not created again.
    const candidates = done.status.streams.candidates;
    expect(done.state).toBe('active');
    expect(candidates).toMatchObject({ pages: OPPORTUNITIES / PAGE_SIZE, backfill: { done: OPPORTUNITIES, finished: true } });
    expect(candidates.created + candidates.updated + candidates.unchanged + candidates.skipped).toBe(OPPORTUNITIES);
    expect(candidates.unchanged).toBeGreaterThan(0);
    // The worker alone serves the counters of what it did.
    const served = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(served).toMatch(
      new RegExp(`jobrelay_sync_records_total\\{connector="${connectorId}",stream="candidates",outcome="unchanged"\\} [1-9]`),
    );

    // The cursors moved on to the newest record of each stream, with no run left open (the last page's answer is
    // kept for a retry of its activity).
    const row = await deps.store.connectors.get(connectorId);
    const newest = (records: Iterable<{ updatedAt: number }>) => Math.max(...[...records].map((r) => r.updatedAt));
    const answer = { attempt: expect.any(String), result: expect.objectContaining({ counts: expect.any(Object) }) };
    expect(row?.streams.candidates).toEqual({
      highWater: newest(sandbox.opportunities.values()),
      startAt: Date.parse('2000-01-01'),
      progress: answer,
    });
    // The jobs stream also keeps the rules its whole list was read under (a change of them reads it again).
    expect(row?.streams.jobs).toEqual({
      highWater: newest(sandbox.postings.values()),
      startAt: Date.parse('2000-01-01'),
      rules: expect.any(String),
      progress: answer,
    });
  }, 180_000);
});
