import path from 'node:path';
import type { Config } from './config';
import { loadSecretKey, SecretBox } from './crypto/secrets';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { OriginPolicy, proxyFromEnvironment } from './providers/origins';
import { openStore, type Store } from './store';

/** What the worker and the API share: the store, the secret box, the logger. Built once per process. */
export interface Deps {
  config: Config;
  store: Store;
  secrets: SecretBox;
  logger: Logger;
  metrics: Metrics;
  /** Where provider credentials may go (JOBRELAY_ALLOWED_PROVIDER_ORIGINS besides each provider's own). */
  origins: OriginPolicy;
  /** Where webhook deliveries may go: public https, and what JOBRELAY_ALLOWED_WEBHOOK_ORIGINS allows. */
  webhookOrigins: OriginPolicy;
}

export async function buildDeps(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Deps> {
  const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    pgliteDir: path.join(config.dataDir, 'pglite'),
    pgliteMaintenance: { vacuumAfterRows: config.pgliteVacuumAfterRows },
    secrets,
    erasedReapply: config.privacy.erasedReapply,
  });
  return {
    config,
    store,
    secrets,
    logger,
    metrics: new Metrics(),
    origins: new OriginPolicy(config.allowedProviderOrigins, undefined, undefined, proxyFromEnvironment),
    webhookOrigins: new OriginPolicy(config.allowedWebhookOrigins, undefined, 'JOBRELAY_ALLOWED_WEBHOOK_ORIGINS', proxyFromEnvironment),
  };
}
