import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { freePort } from '../../src/net';
import { type RunningSandboxes, startSandboxes } from '../../src/providers/sandboxes';
import { type System, startSystem } from '../../src/system';
import { testServers, uniqueTaskQueue } from './env';
import { LOOPBACK_SANDBOXES } from './origins';
import { createTestDatabase } from './stores';
import { apiWithToken, callsTo, TEST_TOKEN } from './system';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '../..');

/** A jobrelay entry point (`worker.ts`, `api.ts`) as its own node process, so SIGKILL hits it alone. */
export class ServiceProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly entry: 'worker.ts' | 'api.ts',
    env: Record<string, string>,
  ) {
    const { NODE_OPTIONS: _jestOptions, ...inherited } = process.env;
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL, resolved once the process is gone. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * Waits for the test's kill switch (`killed`, resolved once it sent SIGKILL), or fails: the process exited on its
   * own, or no kill came within `withinMs`. `progress` says how far the test got, for the failure.
   */
  async killedWithin(killed: Promise<void>, withinMs: number, progress: () => string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      killed.then(() => 'killed'),
      this.exited.then(() => `${this.entry} exited on its own`),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no kill within ${withinMs / 1000} s`), withinMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'killed') throw new Error(`${outcome} (${progress()}); ${this.entry} output: ${this.output.slice(-3000)}`);
  }

  /** SIGTERM (it drains and exits), SIGKILL if it has not within 15 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** `worker.ts` as its own process. */
export class WorkerProcess extends ServiceProcess {
  constructor(env: Record<string, string>) {
    super('worker.ts', env);
  }
}

/**
 * What an API process and worker processes share (the database, the key sealing credentials, Temporal), on a
 * PostgreSQL database of their own (PGlite lives in one process).
 */
async function sharedProcessEnv(name: string) {
  const database = await createTestDatabase(name);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `jobrelay-${name}-`));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    JOBRELAY_SECRET_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: testServers.temporalAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue(name),
    LOG_LEVEL: 'warn',
    JOBRELAY_ALLOWED_PROVIDER_ORIGINS: LOOPBACK_SANDBOXES,
  };
  return {
    env,
    async remove() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

/** Terminates workflows a test left running on its task queue (they would otherwise wait for a worker forever). */
async function terminate(system: System, workflowIds: string[]) {
  for (const id of workflowIds)
    await system.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
}

/** The API alone in this process, with the environment worker processes need to join it. */
export async function startApiForWorkers(token: string) {
  const shared = await sharedProcessEnv('workers');
  const { env } = shared;
  const deps: Deps = await buildDeps(
    loadConfig({ ...env, PORT: String(await freePort()), JOBRELAY_API_TOKEN: token }),
    createLogger('silent'),
  );
  const system: System = await startSystem({ deps, withoutWorker: true });
  const workers: WorkerProcess[] = [];
  return {
    env,
    deps,
    system,
    startWorker(extra: Record<string, string> = {}) {
      const w = new WorkerProcess({ ...env, ...extra });
      workers.push(w);
      return w;
    },
    api: apiWithToken(() => system.apiUrl, token),
    async stop(workflowIds: string[]) {
      for (const w of workers) await w.stop();
      await terminate(system, workflowIds);
      await system.stop();
      await deps.store.close();
      await shared.remove();
    },
  };
}

export type SplitSystem = Awaited<ReturnType<typeof startSplitSystem>>;

/**
 * jobrelay as separate processes on one PostgreSQL database: an API process (`api.ts`, on a port that stays the
 * same across restarts, so the DirectApply URLs the boards were given keep working) and worker processes
 * (`worker.ts`), each of which a test may SIGKILL. This process keeps the provider sandboxes and a store handle
 * for reading what was written. `api` and `sandbox` call like a TestSystem's, for the fixtures.
 */
export async function startSplitSystem(name: string) {
  const shared = await sharedProcessEnv(name);
  const port = await freePort();
  const env = { ...shared.env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, JOBRELAY_API_TOKEN: TEST_TOKEN };
  // Migrates the new database before any process starts.
  const deps = await buildDeps(loadConfig(env), createLogger('silent'));
  const sandboxes: RunningSandboxes = await startSandboxes(await freePort());
  const processes: ServiceProcess[] = [];
  const apiUrl = env.PUBLIC_URL;
  const start = <P extends ServiceProcess>(p: P) => {
    processes.push(p);
    return p;
  };
  return {
    env,
    deps,
    sandboxes,
    ...callsTo(() => apiUrl, sandboxes),
    startWorker: (extra: Record<string, string> = {}) => start(new WorkerProcess({ ...env, ...extra })),
    /** An API process, once it answers `GET /healthz`. */
    async startApi(extra: Record<string, string> = {}): Promise<ServiceProcess> {
      const p = start(new ServiceProcess('api.ts', { ...env, ...extra }));
      await waitFor(
        async () => {
          if (!p.running) throw new Error(`the API process exited: ${p.output.slice(-3000)}`);
          return fetch(`${apiUrl}/healthz`).then(
            (res) => res.status,
            () => 0,
          );
        },
        (status) => status === 200,
        60_000,
        'the API process to answer',
      );
      return p;
    },
    async stop() {
      for (const p of processes) await p.stop();
      await sandboxes.close();
      await deps.store.close();
      await shared.remove();
    },
  };
}
