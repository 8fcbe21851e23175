import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { freePort } from '../../src/net';
import { type System, startSystem } from '../../src/system';
import { type DevServer, startDevServer } from '../../src/tooling/dev-server';
import { testServers, uniqueTaskQueue } from '../helpers/env';
import { findPostgresBin, startPostgres, type TestPostgres } from '../helpers/postgres';
import { waitFor } from '../helpers/wait';

// /readyz as an operator meets it: the system on a Temporal server and a PostgreSQL server of this test's own,
// each stopped and started again underneath it. (PGlite lives inside the process: it cannot be down on its own.)

if (!findPostgresBin() && process.env.CI) throw new Error('CI must run the readiness test: PostgreSQL binaries not found');
const describeWithPostgres = findPostgresBin() ? describe : describe.skip;

describeWithPostgres('/readyz follows Temporal and the database down and back', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-ready-'));
  let temporalPort: number;
  let temporal: DevServer;
  let postgres: TestPostgres;
  let deps: Deps;
  let system: System;

  const startTemporal = () => startDevServer({ port: temporalPort, dbFile: path.join(dataDir, 'temporal.db') });
  const readyz = async () => {
    const res = await fetch(`${system.apiUrl}/readyz`);
    return { status: res.status, body: (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> } };
  };
  const until = (status: number, what: string) => waitFor(readyz, (r) => r.status === status, 60_000, what);

  beforeAll(async () => {
    temporalPort = await freePort();
    [temporal, postgres] = await Promise.all([startTemporal(), freePort().then(startPostgres)]);
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      DATABASE_URL: postgres.url,
      JOBRELAY_API_TOKEN: 'ready-token-0123',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('ready'),
    });
    deps = await buildDeps(config, createLogger('silent'));
    system = await startSystem({ deps, workflowBundle: testServers.workflowBundle() });
  });
  afterAll(async () => {
    await system?.stop();
    await deps?.store.close();
    await temporal?.stop();
    await postgres?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs Temporal on a write-ahead-logged file (SQLite’s rollback journal cost a file and fsyncs a transaction)', () => {
    // SQLite's header: bytes 18 and 19 (file format write and read versions) are 2 in WAL mode, 1 with the journal.
    const header = Buffer.alloc(20);
    const fd = fs.openSync(path.join(dataDir, 'temporal.db'), 'r');
    fs.readSync(fd, header, 0, 20, 0);
    fs.closeSync(fd);
    expect([header[18], header[19]]).toEqual([2, 2]);
  });

  it('answers 503 naming Temporal while it is down, and 200 again once it is back', async () => {
    expect(await readyz()).toEqual({
      status: 200,
      body: { ready: true, checks: { temporal: { ok: true }, database: { ok: true }, worker: { ok: true } } },
    });
    await temporal.stop();
    const down = await until(503, 'not ready with Temporal down');
    expect(down.body).toMatchObject({ ready: false, checks: { temporal: { ok: false }, database: { ok: true } } });

    temporal = await startTemporal();
    const back = await until(200, 'ready with Temporal back');
    expect(back.body.checks).toEqual({ temporal: { ok: true }, database: { ok: true }, worker: { ok: true } });
  });

  it('answers 503 naming the database while PostgreSQL is down, and 200 again once it is back', async () => {
    await postgres.halt();
    const down = await until(503, 'not ready with the database down');
    expect(down.body).toMatchObject({ ready: false, checks: { database: { ok: false }, temporal: { ok: true } } });

    await postgres.resume();
    const back = await until(200, 'ready with the database back');
    expect(back.body.checks).toEqual({ temporal: { ok: true }, database: { ok: true }, worker: { ok: true } });
    // And the store serves requests again, not only the ping.
    const created = await fetch(`${system.apiUrl}/v1/jobs/job_missing`, { headers: { authorization: 'Bearer ready-token-0123' } });
    expect(created.status).toBe(404);
  });
});
