import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError, loadConfig } from '../config';
import { buildDeps } from '../deps';
import { createLogger, prettyDestination, temporalLogger } from '../logger';
import { isPortFree } from '../net';
import { startSandboxes } from '../providers/sandboxes';
import { startSystem } from '../system';
import { installRuntime } from '../temporal/runtime';
import { type DevServer, startDevServer } from '../tooling/dev-server';
import { runDemo } from './demo';

/**
 * `npm start`: Temporal dev server (unless TEMPORAL_ADDRESS), sandboxes, worker, API, demo. Ctrl-C (SIGINT, to the
 * process group or to this process alone) or SIGTERM stops it all, also in the middle of starting.
 */
async function main() {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => console.warn(`while stopping: ${(err as Error).message}`));
  };
  const startup = new AbortController();

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping jobrelay…`);
      startup.abort();
      stopAll().then(() => process.exit(0));
    });
  }

  try {
    const config = loadConfig();
    const logger = createLogger(config.logLevel, process.stdout.isTTY ? prettyDestination : undefined);
    const token = ensureApiToken(config);
    await assertPortsFree(config);
    fs.mkdirSync(config.dataDir, { recursive: true });
    let devServer: DevServer | undefined;
    if (!config.temporal.address) {
      console.log('starting the Temporal dev server…');
      const starting = startDevServer({
        port: config.temporal.devServerPort,
        uiPort: config.temporal.uiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        namespace: config.temporal.namespace,
        signal: startup.signal,
      });
      // Stopping waits for a start under way (which an abort cuts short): the server process never outlives us.
      stops.push(() =>
        starting.then(
          (server) => server.stop(),
          () => undefined,
        ),
      );
      devServer = await starting;
    }
    installRuntime({ logger: temporalLogger(logger.child({ component: 'temporal' }, { level: 'warn' })), shutdownSignals: [] });
    const sandboxes = await startSandboxes(config.sandboxPort);
    stops.push(() => sandboxes.close());
    // The local sandboxes are the one origin besides the providers' own that `npm start` lets credentials go to.
    config.allowedProviderOrigins.push(sandboxes.baseUrl);
    const deps = await buildDeps(config, logger);
    stops.push(() => deps.store.close());
    const system = await startSystem({ deps });
    stops.push(() => system.stop());

    const uiUrl = devServer ? `http://127.0.0.1:${config.temporal.uiPort}` : '(your cluster’s UI)';
    console.log(
      [
        '',
        'jobrelay is running',
        `  API            ${system.apiUrl}`,
        `  API docs       ${system.apiUrl}/docs`,
        `  Careers site   ${system.apiUrl}/careers`,
        `  Temporal UI    ${uiUrl}`,
        `  Temporal       ${config.temporal.address ?? devServer?.address} (namespace ${config.temporal.namespace})`,
        `  Sandboxes      ${sandboxes.baseUrl}/<provider>`,
        `  API token      ${token.generated ? `${token.value}  (generated; set JOBRELAY_API_TOKEN to choose one)` : '(from JOBRELAY_API_TOKEN)'}`,
        `  Data           ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : path.join(config.dataDir, 'pglite')}`,
        '',
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
    if (config.demo) await runDemo({ apiUrl: system.apiUrl, token: token.value, sandboxes, log: (line) => console.log(`demo: ${line}`) });
  } catch (err) {
    if (stopping) return; // a signal cut the start short; its handler stops what was started
    console.error(`jobrelay could not start: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    process.exit(1);
  }
}

async function assertPortsFree(config: Config) {
  const wanted: Array<[number, string]> = [
    [config.api.port, 'PORT (API)'],
    [config.sandboxPort, 'SANDBOX_PORT (provider sandboxes)'],
  ];
  if (!config.temporal.address) {
    wanted.push(
      [config.temporal.devServerPort, 'TEMPORAL_PORT (Temporal dev server)'],
      [config.temporal.uiPort, 'TEMPORAL_UI_PORT (Temporal Web UI)'],
    );
  }
  for (const [port, name] of wanted) {
    if (!(await isPortFree(port, '127.0.0.1'))) {
      throw new ConfigError(
        `port ${port} (${name}) is already in use — is another jobrelay running? Stop it or set ${name.split(' ')[0]} to another port.`,
      );
    }
  }
}

/** The configured tokens, or one generated once and kept under DATA_DIR so it survives restarts. */
function ensureApiToken(config: Config): { value: string; generated: boolean } {
  if (config.api.tokens.length > 0) return { value: config.api.tokens[0], generated: false };
  const file = path.join(config.dataDir, 'api-token');
  fs.mkdirSync(config.dataDir, { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, `jr_${randomBytes(24).toString('base64url')}`, { mode: 0o600 });
  const value = fs.readFileSync(file, 'utf8').trim();
  config.api.tokens.push(value);
  return { value, generated: true };
}

main();
