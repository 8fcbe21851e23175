import { randomBytes } from 'node:crypto';
import { describe } from '@jest/globals';
import pg from 'pg';
import { openStore, type Store, type StoreOptions } from '../../src/store';
import { testServers } from './env';

/** The two stores jobrelay runs on: embedded PGlite (the default) and PostgreSQL (`DATABASE_URL`). */
export type StoreKind = 'PGlite' | 'PostgreSQL';

/**
 * The stores every real-path suite runs on: PGlite always, PostgreSQL when the run has it.
 * CI provides PostgreSQL (`.ci/run` installs it), so there both always run.
 */
export function testStores(): StoreKind[] {
  if (testServers.databaseUrl()) return ['PGlite', 'PostgreSQL'];
  if (process.env.CI) throw new Error('CI must run the suites on PostgreSQL too: PostgreSQL binaries not found');
  if (!warned) console.warn('PostgreSQL binaries not found: suites run on PGlite only (apt-get install postgresql to run both)');
  warned = true;
  return ['PGlite'];
}
let warned = false;

/**
 * Runs a suite once on each test store; the suite gets the store kind to hand to `startTestSystem` or
 * `openTestStore`, each of which gives it a database of its own:
 *
 *   describeEachStore('postings through the API', (store) => {
 *     beforeAll(async () => { t = await startTestSystem({}, { store }); });
 *     …
 *   });
 */
export function describeEachStore(title: string, suite: (store: StoreKind) => void): void {
  describe.each(testStores())(`${title} [%s]`, suite);
}

export interface TestDatabase {
  /** The connection string of a database no other test uses. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the run's PostgreSQL server, so no test sees another file's rows. `locale: 'C'` makes
 * it as `initdb --locale=C` would (its `lower()` folds ASCII only), whatever the server's own locale.
 */
export async function createTestDatabase(label = 'test', options: { locale?: 'C' } = {}): Promise<TestDatabase> {
  const serverUrl = testServers.databaseUrl();
  if (!serverUrl) throw new Error('no PostgreSQL in this run (TEST_DATABASE_URL is unset)');
  const name = `jr_${label
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const locale = options.locale ? ` template template0 encoding 'UTF8' lc_collate '${options.locale}' lc_ctype '${options.locale}'` : '';
  await admin(serverUrl, (c) => c.query(`create database ${name}${locale}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function admin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export type TestStoreOptions = Pick<StoreOptions, 'secrets' | 'erasedReapply'> & { label?: string };

/** A fresh, empty store of the kind: in-memory PGlite, or a new database on the run's PostgreSQL. `close()` drops it. */
export async function openTestStore(kind: StoreKind, options: TestStoreOptions = {}): Promise<Store> {
  const { label, ...storeOptions } = options;
  if (kind === 'PGlite') return openStore({ pgliteDir: 'memory://', ...storeOptions });
  const database = await createTestDatabase(label);
  const store = await openStore({ databaseUrl: database.url, ...storeOptions });
  return {
    ...store,
    async close() {
      await store.close();
      await database.drop();
    },
  };
}

/** `[name, open]` per test store, for `describe.each`: each `open()` gives a fresh, empty store. */
export function storeBackends(options: Pick<StoreOptions, 'secrets' | 'erasedReapply'> = {}): Array<[StoreKind, () => Promise<Store>]> {
  return testStores().map((kind) => [kind, () => openTestStore(kind, { label: 'store', ...options })]);
}
