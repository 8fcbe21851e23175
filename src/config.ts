import path from 'node:path';
import { z } from 'zod';
import { decodeSecretKey } from './crypto/secrets';
import { PhoneCountry } from './domain/phone';

const port = z.coerce.number().int().min(1).max(65535);
const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => (v === undefined ? undefined : ['true', '1', 'yes'].includes(v)));

/** Every setting jobrelay reads from the environment, with its default. */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** Base of URLs given to providers (DirectApply callbacks); defaults to http://HOST:PORT. */
  PUBLIC_URL: optional.pipe(z.url().optional()),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optional.pipe(z.url().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOBRELAY_API_TOKEN: optional,
  /** 32-byte key (base64 or hex) that encrypts stored credentials; generated under DATA_DIR when unset. */
  JOBRELAY_SECRET_KEY: optional.pipe(
    z
      .string()
      .refine((v) => decodeSecretKey(v).length === 32, 'must be 32 bytes, written as 64 hex digits or in base64')
      .optional(),
  ),
  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('jobrelay'),
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(500),
  TEMPORAL_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(40),
  TEMPORAL_API_KEY: optional,
  TEMPORAL_TLS: bool,
  TEMPORAL_TLS_CERT_PATH: optional,
  TEMPORAL_TLS_KEY_PATH: optional,
  TEMPORAL_TLS_CA_PATH: optional,
  TEMPORAL_TLS_SERVER_NAME: optional,
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  SANDBOX_PORT: port.default(4010),
  /** `npm run worker` serves /metrics on this port when set. */
  WORKER_METRICS_PORT: port.optional(),
  /** When set, DirectApply deliveries must carry `X-Signature`: HMAC-SHA256 of the raw body under this secret. */
  DIRECT_APPLY_SIGNING_SECRET: optional,
  /**
   * Provider API origins allowed besides each provider's own production and sandbox ones, comma-separated:
   * `https://ats.example.com`, `http://127.0.0.1:4010` (http on loopback only; `*` as port = any), and CIDR ranges
   * (`10.1.0.0/16`) whose private addresses an allowed host may resolve to.
   */
  JOBRELAY_ALLOWED_PROVIDER_ORIGINS: optional,
  /** The same for webhook destinations: origins and CIDR ranges allowed besides public https addresses. */
  JOBRELAY_ALLOWED_WEBHOOK_ORIGINS: optional,
  /** Requests per second per API token (steady) and the burst a token may make at once. */
  JOBRELAY_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(20),
  JOBRELAY_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(200),
  /** How often staged applications whose workflow never started are started again. */
  INTAKE_SWEEP_MINUTES: z.coerce.number().positive().default(5),
  /** Applications taken in at once by the worker in the API's process; a burst beyond waits (staged) its turn. */
  INTAKE_CONCURRENCY: z.coerce.number().int().min(1).default(1),
  /** Embedded PGlite (no autovacuum): rows written between vacuums of the tables written; unset = the store's default. */
  PGLITE_VACUUM_AFTER_ROWS: optional.pipe(z.coerce.number<string | undefined>().int().min(1).optional()),
  /** Candidates with no activity for this many months are erased by the retention schedule; unset = kept. */
  RETENTION_MONTHS: optional.pipe(z.coerce.number<string | undefined>().int().min(1).max(1200).optional()),
  /** A person whose data was erased who applies again: `refuse` (default) or `recreate` (a new application is new consent). */
  ERASED_REAPPLY: z.enum(['refuse', 'recreate']).default('refuse'),
  /** Where a phone without its international prefix is read when its source names no country (Lever, SmartRecruiters, requests). */
  DEFAULT_PHONE_COUNTRY: PhoneCountry.default('GB'),
  DEMO: bool,
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  api: { host: string; port: number; publicUrl: string; tokens: string[]; rateLimit: { perSecond: number; burst: number } };
  /** Operator-allowed provider origins and address ranges (see src/providers/origins.ts). */
  allowedProviderOrigins: string[];
  /** Operator-allowed webhook destinations besides public https ones (the same syntax). */
  allowedWebhookOrigins: string[];
  dataDir: string;
  databaseUrl?: string;
  logLevel: Env['LOG_LEVEL'];
  secretKey?: string;
  temporal: {
    /** Set when an external cluster is used; unset means `npm start` runs its own dev server. */
    address?: string;
    namespace: string;
    taskQueue: string;
    /** Workflows the worker keeps in memory between their tasks; one evicted is replayed from history when it next wakes. */
    maxCachedWorkflows: number;
    /**
     * Workflow tasks the worker holds at once (the SDK's default, 40). Fewer keep a task's clock (taken when the
     * worker takes it) closer to when it runs on the one workflow thread, but starve eager starts of a free slot:
     * 10 made 1,000 postings go live slower (see README, Performance).
     */
    maxConcurrentWorkflowTasks: number;
    apiKey?: string;
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
    devServerPort: number;
    uiPort: number;
  };
  sandboxPort: number;
  workerMetricsPort?: number;
  demo: boolean;
  intake: { signingSecret?: string; sweepMinutes: number; concurrency: number };
  pgliteVacuumAfterRows?: number;
  privacy: { retentionMonths?: number; erasedReapply: 'refuse' | 'recreate' };
  /** The country a phone is read in when its source declares none (see src/domain/phone.ts). */
  defaultPhoneCountry: PhoneCountry;
}

export class ConfigError extends Error {}

/** Parses the environment; a wrong value throws one readable line naming the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      const value = name.includes('KEY') || name.includes('TOKEN') || name.includes('SECRET') ? '(hidden)' : JSON.stringify(source[name]);
      return `${name}=${value}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  const useTls = e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_API_KEY || e.TEMPORAL_TLS_CERT_PATH);
  return {
    env: e.NODE_ENV,
    api: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
      tokens: (e.JOBRELAY_API_TOKEN ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      rateLimit: { perSecond: e.JOBRELAY_RATE_LIMIT_PER_SECOND, burst: e.JOBRELAY_RATE_LIMIT_BURST },
    },
    allowedProviderOrigins: list(e.JOBRELAY_ALLOWED_PROVIDER_ORIGINS),
    allowedWebhookOrigins: list(e.JOBRELAY_ALLOWED_WEBHOOK_ORIGINS),
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    secretKey: e.JOBRELAY_SECRET_KEY,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      maxCachedWorkflows: e.TEMPORAL_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: e.TEMPORAL_MAX_CONCURRENT_WORKFLOW_TASKS,
      apiKey: e.TEMPORAL_API_KEY,
      tls: useTls
        ? {
            certPath: e.TEMPORAL_TLS_CERT_PATH,
            keyPath: e.TEMPORAL_TLS_KEY_PATH,
            caPath: e.TEMPORAL_TLS_CA_PATH,
            serverName: e.TEMPORAL_TLS_SERVER_NAME,
          }
        : undefined,
      devServerPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    sandboxPort: e.SANDBOX_PORT,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    demo: e.DEMO ?? true,
    intake: { signingSecret: e.DIRECT_APPLY_SIGNING_SECRET, sweepMinutes: e.INTAKE_SWEEP_MINUTES, concurrency: e.INTAKE_CONCURRENCY },
    pgliteVacuumAfterRows: e.PGLITE_VACUUM_AFTER_ROWS,
    privacy: { retentionMonths: e.RETENTION_MONTHS, erasedReapply: e.ERASED_REAPPLY },
    defaultPhoneCountry: e.DEFAULT_PHONE_COUNTRY,
  };
}

/** A comma-separated setting as its entries. */
const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);

/** The address the SDK connects to: the external cluster, or our own dev server. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}
