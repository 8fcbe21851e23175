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
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores';

export const TEST_TOKEN = 'test-token-0123456789';

export interface TestSystem {
  system: System;
  /** The store it runs on. */
  storeKind: StoreKind;
  /** Every line the system logged (at debug level), for asserting on what an operator would read. */
  logLines: string[];
  /** Every provider's sandbox, on a port of this test's own. */
  sandboxes: RunningSandboxes;
  /** Calls a sandbox (e.g. its `/_sandbox` control endpoints) as JSON. */
  sandbox(method: string, provider: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }>;
  deps: Deps;
  /** Calls the API with the test token; `as` picks another token (or none). */
  api(
    method: string,
    urlPath: string,
    body?: unknown,
    as?: { token?: string | null },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** What fixtures call a system through: its API and the sandboxes (a TestSystem, or processes a test started apart). */
export type SystemCalls = Pick<TestSystem, 'api' | 'sandbox' | 'sandboxes'>;

export interface TestSystemOptions {
  /** The store the system runs on, always empty: PGlite under its own data dir (default), or a new PostgreSQL database. */
  store?: StoreKind;
}

/**
 * The whole system as `npm start` wires it (API + worker + store) on the test run's dev server, with a fresh store.
 * `env` sets configuration variables; run a suite on both stores with `describeEachStore` (./stores).
 */
export async function startTestSystem(env: Record<string, string> = {}, options: TestSystemOptions = {}): Promise<TestSystem> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-test-'));
  const port = await freePort();
  const database: TestDatabase | undefined = options.store === 'PostgreSQL' ? await createTestDatabase('system') : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    JOBRELAY_API_TOKEN: TEST_TOKEN,
    JOBRELAY_ALLOWED_PROVIDER_ORIGINS: LOOPBACK_SANDBOXES,
    TEMPORAL_ADDRESS: testServers.temporalAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('system'),
    ...(database && { DATABASE_URL: database.url }),
    ...env,
  });
  const logLines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void logLines.push(line) });
  const deps = await buildDeps(config, logger);
  const sandboxes = await startSandboxes(await freePort());
  const system = await startSystem({ deps, workflowBundle: testServers.workflowBundle() });
  return {
    system,
    storeKind: database ? 'PostgreSQL' : 'PGlite',
    deps,
    sandboxes,
    logLines,
    ...callsTo(() => system.apiUrl, sandboxes),
    async stop() {
      await system.stop();
      await sandboxes.close();
      await deps.store.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The API of a system a test started itself, called with this token; answers parsed as JSON. */
export function apiWithToken(apiUrl: () => string, token: string) {
  return async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${apiUrl()}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

/** The API (with the test token, or `as` another) and the sandboxes called as JSON, as TestSystem offers them. */
export function callsTo(apiUrl: () => string, sandboxes: RunningSandboxes): Pick<TestSystem, 'api' | 'sandbox'> {
  return {
    async sandbox(method, provider, urlPath, body) {
      const res = await fetch(`${sandboxes.urlFor(provider)}${urlPath}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async api(method, urlPath, body, as) {
      const token = as?.token === undefined ? TEST_TOKEN : as.token;
      const res = await fetch(`${apiUrl()}${urlPath}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}
