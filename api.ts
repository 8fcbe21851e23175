import { loadConfig } from './src/config';
import { buildDeps } from './src/deps';
import { createLogger } from './src/logger';
import { startSystem } from './src/system';

/**
 * `npm run api`: the API alone (webhooks, REST, careers site, intake sweep), for running it apart from the workers
 * against a Temporal cluster and PostgreSQL. SIGINT or SIGTERM stops it.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const deps = await buildDeps(config, logger);
  const system = await startSystem({ deps, withoutWorker: true });
  deps.logger.info({ apiUrl: system.apiUrl }, 'API running');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      await system.stop();
      await deps.store.close();
      process.exit(0);
    });
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
