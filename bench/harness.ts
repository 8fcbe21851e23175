import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { buildDeps, type Deps } from '../src/deps';
import { createLogger } from '../src/logger';
import { freePort } from '../src/net';
import { type RunningSandboxes, startSandboxes } from '../src/providers/sandboxes';
import { type System, startSystem } from '../src/system';
import { installRuntime } from '../src/temporal/runtime';
import { type DevServer, startDevServer } from '../src/tooling/dev-server';
import { startSandboxProcess } from './sandbox-process';

export interface BenchSystem {
  system: System;
  deps: Deps;
  /** In this process, or (`sandboxesApart`) in a child process whose RSS `rss()` reads; `apps` is empty then. */
  sandboxes: Pick<RunningSandboxes, 'urlFor' | 'apps' | 'close'> & { rss?(): number; cpuMs?(): number };
  devServer: DevServer;
  token: string;
  api<T = any>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** The whole system as `npm start` runs it (own dev server, PGlite, sandboxes, API + worker), on free ports. */
export async function startBenchSystem(
  env: Record<string, string> = {},
  { sandboxesApart = false }: { sandboxesApart?: boolean } = {},
): Promise<BenchSystem> {
  if (!runtimeInstalled) {
    installRuntime({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
    runtimeInstalled = true;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-bench-'));
  // BENCH_TEMPORAL_DB=file: the dev server keeps its state in a file, as `npm start` has it (else in memory).
  const dbFile = process.env.BENCH_TEMPORAL_DB === 'file' ? path.join(dataDir, 'temporal.db') : undefined;
  const devServer = await startDevServer({ port: await freePort(), dbFile });
  const port = await freePort();
  const token = 'bench-token';
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    JOBRELAY_API_TOKEN: token,
    JOBRELAY_ALLOWED_PROVIDER_ORIGINS: 'http://127.0.0.1:*',
    TEMPORAL_ADDRESS: devServer.address,
    LOG_LEVEL: 'silent',
    // One bench client stands for many callers: the per-token limit would measure itself, not the server.
    JOBRELAY_RATE_LIMIT_PER_SECOND: '100000',
    JOBRELAY_RATE_LIMIT_BURST: '100000',
    ...env,
  });
  const deps = await buildDeps(config, createLogger('silent'));
  const sandboxes = sandboxesApart ? { ...(await startSandboxProcess()), apps: {} } : await startSandboxes(await freePort());
  const system = await startSystem({ deps });
  return {
    system,
    deps,
    sandboxes,
    devServer,
    token,
    async api(method, urlPath, body) {
      const res = await fetch(`${system.apiUrl}${urlPath}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await system.stop();
      await sandboxes.close();
      await deps.store.close();
      await devServer.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Posts JSON to a sandbox control endpoint, e.g. `sandboxPost(b, 'cv-library', '/_sandbox/accounts', {...})`. */
export function sandboxPost(b: BenchSystem, provider: string, path: string, body: unknown) {
  return fetch(`${b.sandboxes.urlFor(provider)}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A CV-Library account on the sandbox and the board set up in jobrelay to use it. */
export async function setUpCvLibraryBoard(
  b: BenchSystem,
  { genericAccount, expiryDays }: { genericAccount: boolean; expiryDays?: number },
) {
  await sandboxPost(b, 'cv-library', '/_sandbox/accounts', { username: 'generic', password: 'pw', posterEmails: ['jobs@bench.example'] });
  await b.api('PUT', '/v1/boards/cv-library', {
    baseUrl: b.sandboxes.urlFor('cv-library'),
    credentials: { username: 'generic', password: 'pw' },
    posterEmail: 'jobs@bench.example',
    genericAccount,
    jobTypeMapping: { 'full-time': 'Permanent' },
    industryMapping: {},
    ...(expiryDays && { expiryDays }),
  });
}

/**
 * CPU seconds of each of this process's threads so far, by thread id (Linux's /proc; empty elsewhere): PGlite's
 * thread and Temporal's workflow thread each show apart from the main thread, where `process.cpuUsage` sums them.
 */
export function threadCpuSeconds(): Map<string, number> {
  const ticks = 100; // USER_HZ, as /proc reports it on Linux
  const cpu = new Map<string, number>();
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th of them.
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(tid, (Number(fields[11]) + Number(fields[12])) / ticks);
    }
  } catch {
    // not Linux, or a thread gone while read
  }
  return cpu;
}

/** The CPU each thread used between two `threadCpuSeconds` readings, the busiest first: [thread id, seconds]. */
export function threadCpuSince(before: Map<string, number>): Array<[string, number]> {
  return [...threadCpuSeconds()].map(([tid, s]): [string, number] => [tid, s - (before.get(tid) ?? 0)]).sort((a, b) => b[1] - a[1]);
}
