import fs from 'node:fs';
import path from 'node:path';
import { type DatabaseConnection, type Dialect, Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { sanitised } from './errors';
import { migrationProvider } from './migrations';
import { type MaintenanceOptions, PGliteThreadDialect } from './pglite-thread-dialect';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DbOptions {
  /** PostgreSQL connection string; when unset, PGlite is used. */
  databaseUrl?: string;
  /** Folder of the PGlite data; `memory://` for an in-memory database. */
  pgliteDir?: string;
  /** PGlite's upkeep (it has no autovacuum): tests make it come sooner. */
  pgliteMaintenance?: MaintenanceOptions;
}

/** Opens the database (PGlite or PostgreSQL) and applies every pending migration. */
export async function openDb(options: DbOptions): Promise<Db> {
  const db = new Kysely<Database>({ dialect: withSanitisedErrors(await dialectFor(options)) });
  await migrate(db);
  return db;
}

async function dialectFor({ databaseUrl, pgliteDir, pgliteMaintenance }: DbOptions) {
  if (databaseUrl) {
    // Return timestamps as Date and bigints as numbers, the same as PGlite.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
    // A connection the server drops (a restart, a failover) fails its query, if any, and is discarded by the pool;
    // the next query opens a new one. Its 'error' event, idle or in use, must not end the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    return new PostgresDialect({ pool });
  }
  const dir = pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  return new PGliteThreadDialect(dir, pgliteMaintenance);
}

export async function migrate(db: Db): Promise<void> {
  // Branches take migration numbers from their own ranges and merge in any order: a database may already have run
  // a later number than one merged after it (each migration stands alone, so running it late is safe).
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Every statement's error leaves the store as a StoreError: SQLSTATE and message, never the parameters. */
function withSanitisedErrors(dialect: Dialect): Dialect {
  const patched = new WeakSet<DatabaseConnection>();
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver() {
      const driver = dialect.createDriver();
      const acquire = driver.acquireConnection.bind(driver);
      driver.acquireConnection = async () => {
        const connection = await acquire().catch((err: unknown) => {
          throw sanitised(err);
        });
        if (!patched.has(connection)) {
          const execute = connection.executeQuery.bind(connection);
          connection.executeQuery = <R>(query: Parameters<DatabaseConnection['executeQuery']>[0]) =>
            execute<R>(query).catch((err: unknown) => {
              throw sanitised(err);
            });
          patched.add(connection);
        }
        return connection;
      };
      return driver;
    },
  };
}
