import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { freePort } from '../../src/net';
import { type System, startSystem } from '../../src/system';
import { testServers, uniqueTaskQueue } from './env';
import { LOOPBACK_SANDBOXES } from './origins';
import { createTestDatabase } from './stores';
import { apiWithToken } from './system';

const ROOT = path.resolve(__dirname, '../..');

/** `worker.ts` as its own process (one node process, so SIGKILL hits the worker itself). */
export class WorkerProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: Record<string, string>) {
    const { NODE_OPTIONS: _jestOptions, ...inherited } = process.env;
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker.ts')], {
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

  /**
   * Waits for the test's kill switch (`killed`, resolved once it sent SIGKILL), or fails: the worker exited on its
   * own, or no kill came within `withinMs`. `progress` says how far the test got, for the failure.
   */
  async killedWithin(killed: Promise<void>, withinMs: number, progress: () => string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      killed.then(() => 'killed'),
      this.exited.then(() => 'the worker exited on its own'),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no kill within ${withinMs / 1000} s`), withinMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'killed') throw new Error(`${outcome} (${progress()}); worker output: ${this.output.slice(-3000)}`);
  }

  /** SIGTERM (the worker drains and exits), SIGKILL if it has not within 15 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * The API alone in this process, on a PostgreSQL database of its own (worker processes share it; PGlite lives in
 * one process), with the environment worker processes need to join it.
 */
export async function startApiForWorkers(token: string) {
  const database = await createTestDatabase('workers');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-workers-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    JOBRELAY_SECRET_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: testServers.temporalAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('workers'),
    LOG_LEVEL: 'warn',
    JOBRELAY_ALLOWED_PROVIDER_ORIGINS: LOOPBACK_SANDBOXES,
  };
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
      for (const id of workflowIds)
        await system.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
      await system.stop();
      await deps.store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}
