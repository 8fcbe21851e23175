import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { waitForPort } from '../../src/net';
import { testServers } from './env';

/** Finds PostgreSQL's server binaries from Debian's packages (/usr/lib/postgresql/<v>/bin). */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(root, v, 'bin')).find((dir) => fs.existsSync(path.join(dir, 'postgres')));
}

export interface TestPostgres {
  url: string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
  /** Stops the server, keeping its data (the database is down). */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and data. */
  resume(): Promise<void>;
}

/** A throw-away PostgreSQL server on `port` (run as the `postgres` user when we are root: initdb refuses root). */
export async function startPostgres(port: number): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobrelay-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (file: string, args: string[]) =>
    (asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]) as [string, string[]];
  if (asRoot) execFileSync('chown', ['postgres', dataDir]);
  execFileSync(...run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']), {
    stdio: 'ignore',
  });
  let child: ChildProcess | undefined;
  const up = async () => {
    child = spawn(
      ...run(path.join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-k', dataDir, '-h', '127.0.0.1', '-c', 'fsync=off']),
      { stdio: 'ignore', detached: false },
    );
    await waitForPort(port, '127.0.0.1', 30_000);
    await untilAccepting(`postgres://postgres@127.0.0.1:${port}/postgres`);
  };
  const down = async () => {
    try {
      execFileSync(...run(path.join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate']), { stdio: 'ignore' });
    } catch {
      child?.kill('SIGKILL');
    }
  };
  await up();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await down();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    halt: down,
    resume: up,
  };
}

/** The port opens before PostgreSQL takes queries ("the database system is starting up"): wait for a query. */
async function untilAccepting(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * `describe` for a suite that needs the run's PostgreSQL (several processes sharing one store), else `describe.skip`
 * with a warning. CI always has PostgreSQL: there a missing one fails the run.
 */
export function describeWithPostgres(what: string): jest.Describe {
  if (testServers.databaseUrl()) return describe;
  if (process.env.CI) throw new Error(`CI must run ${what}: PostgreSQL binaries not found`);
  console.warn(`PostgreSQL binaries not found: ${what} is skipped (apt-get install postgresql to run it)`);
  return describe.skip;
}
