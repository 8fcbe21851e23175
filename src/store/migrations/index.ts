import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_jobs';

/** Every migration, in order. Bundled in code so PGlite and PostgreSQL run exactly the same ones. */
const migrations: Record<string, Migration> = {
  '001_jobs': m001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
