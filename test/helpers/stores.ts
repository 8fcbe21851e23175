import { openStore, type Store } from '../../src/store';
import { testServers } from './env';

/**
 * The backends every repository test runs on: PGlite always, PostgreSQL when the run has it.
 * CI provides PostgreSQL (`.ci/run` installs it), so there both always run.
 */
export function storeBackends(): Array<[string, () => Promise<Store>]> {
  const backends: Array<[string, () => Promise<Store>]> = [['PGlite', () => openStore({ pgliteDir: 'memory://' })]];
  const url = testServers.databaseUrl();
  if (url) backends.push(['PostgreSQL', () => openStore({ databaseUrl: url })]);
  else if (process.env.CI) throw new Error('CI must run the store tests on PostgreSQL too: PostgreSQL binaries not found');
  else console.warn('PostgreSQL binaries not found: store tests run on PGlite only (apt-get install postgresql to run both)');
  return backends;
}
