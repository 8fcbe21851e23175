import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store, type StoreOptions } from '../../src/store';
import { testServers } from './env';

/**
 * The backends every repository test runs on: PGlite always, PostgreSQL when the run has it.
 * CI provides PostgreSQL (`.ci/run` installs it), so there both always run.
 * Each store opened is empty: on PostgreSQL it is a database of its own, so no file sees another's rows.
 */
export function storeBackends(options: Pick<StoreOptions, 'secrets' | 'erasedReapply'> = {}): Array<[string, () => Promise<Store>]> {
  const backends: Array<[string, () => Promise<Store>]> = [['PGlite', () => openStore({ pgliteDir: 'memory://', ...options })]];
  const url = testServers.databaseUrl();
  if (url) backends.push(['PostgreSQL', async () => openStore({ databaseUrl: await emptyDatabase(url), ...options })]);
  else if (process.env.CI) throw new Error('CI must run the store tests on PostgreSQL too: PostgreSQL binaries not found');
  else console.warn('PostgreSQL binaries not found: store tests run on PGlite only (apt-get install postgresql to run both)');
  return backends;
}

/** A new database on the run's throw-away PostgreSQL server (gone when the server stops). */
export async function emptyDatabase(serverUrl: string): Promise<string> {
  const name = `jr_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
