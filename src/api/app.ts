import { createHash } from 'node:crypto';
import path from 'node:path';
import express, { Router } from 'express';
import { careersSite } from '../careers/site';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { BoardsService } from '../services/boards';
import type { CandidatesService } from '../services/candidates';
import type { CareersService } from '../services/careers';
import type { ConnectorsService } from '../services/connectors';
import type { JobsService } from '../services/jobs';
import type { PostingsService } from '../services/postings';
import type { PrivacyService } from '../services/privacy';
import type { RelayService } from '../services/relay';
import type { TokensService } from '../services/tokens';
import type { WebhookSubscriptionsService } from '../services/webhook-subscriptions';
import { bearerAuth, type RateLimit } from './auth';
import { errorHandler, HttpError } from './errors';
import { securityHeaders } from './headers';
import { OpenApiRegistry } from './openapi';
import { boardRoutes } from './routes/boards';
import { candidateRoutes } from './routes/candidates';
import { careersRoutes } from './routes/careers';
import { connectorRoutes } from './routes/connectors';
import { type HealthDeps, healthRoutes } from './routes/health';
import { intakeRoutes } from './routes/intake';
import { jobRoutes } from './routes/jobs';
import { postingRoutes } from './routes/postings';
import { privacyRoutes } from './routes/privacy';
import { relayRoutes } from './routes/relay';
import { tokenRoutes } from './routes/tokens';
import { webhookSubscriptionRoutes } from './routes/webhook-subscriptions';
import { type WebhookDeps, webhookRoutes } from './routes/webhooks';

export interface ApiDeps {
  /** Verifies bearer tokens; admins make and revoke them. */
  tokens: TokensService;
  /** Per-token rate limit on `/v1`. */
  rateLimit: RateLimit;
  publicUrl: string;
  logger: Logger;
  metrics: Metrics;
  health: HealthDeps['checks'];
  jobs: JobsService;
  postings: PostingsService;
  boards: BoardsService;
  postingEvents: (postingId: string) => Promise<unknown[]>;
  connectors?: ConnectorsService;
  /** Relay connectors' own routes (source id, deliveries, status mapping, status sync). */
  relay?: RelayService;
  /** Application webhooks (outside bearer auth) and what they need. */
  webhooks?: Omit<WebhookDeps, 'logger'>;
  candidates?: CandidatesService;
  /** Erasure, subject-access export, the privacy audit and retention. */
  privacy?: PrivacyService;
  /** The public careers site (outside bearer auth) and its settings under /v1. */
  careers?: CareersService;
  /** Events out: webhook subscriptions and their deliveries. */
  webhookSubscriptions?: WebhookSubscriptionsService;
}

const DOCS_SCRIPT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });";
const DOCS_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>jobrelay API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>${DOCS_SCRIPT}</script></body></html>`;

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  const openapi = new OpenApiRegistry();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    securityHeaders({
      https: deps.publicUrl.startsWith('https:'),
      docsScriptHash: `sha256-${createHash('sha256').update(DOCS_SCRIPT).digest('base64')}`,
    }),
  );
  app.use(requestLog(deps));

  const open = Router();
  healthRoutes(open, openapi, { checks: deps.health, metrics: () => deps.metrics.render() });
  open.get('/openapi.json', (_req, res) => {
    res.json(openapi.document(deps.publicUrl));
  });
  open.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  open.use('/docs/assets', express.static(path.dirname(require.resolve('swagger-ui-dist/package.json')), { index: false }));
  app.use(open);
  if (deps.careers) app.use(careersSite(deps.careers, deps.publicUrl));
  // Boards authenticate with the per-posting token (and optional signature), not a bearer token: mounted before /v1's auth.
  if (deps.webhooks) app.use(webhookRoutes(openapi, { ...deps.webhooks, logger: deps.logger }));

  const v1 = Router();
  v1.use(express.json({ limit: '1mb' }));
  jobRoutes(v1, openapi, deps.jobs);
  boardRoutes(v1, openapi, deps.boards);
  postingRoutes(v1, openapi, deps.postings, deps.boards, deps.postingEvents);
  if (deps.connectors) connectorRoutes(v1, openapi, deps.connectors);
  if (deps.relay) relayRoutes(v1, openapi, deps.relay);
  if (deps.candidates) candidateRoutes(v1, openapi, deps.candidates);
  if (deps.privacy) privacyRoutes(v1, openapi, deps.privacy);
  if (deps.careers) careersRoutes(v1, openapi, deps.careers);
  tokenRoutes(v1, openapi, deps.tokens);
  if (deps.webhookSubscriptions) webhookSubscriptionRoutes(v1, openapi, deps.webhookSubscriptions);
  if (deps.webhooks) intakeRoutes(v1, openapi, deps.webhooks.intake);
  app.use('/v1', bearerAuth(deps.tokens, deps.rateLimit));
  app.use(v1);

  app.use((req, _res, next) => next(new HttpError(404, `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}

function requestLog({ logger, metrics }: Pick<ApiDeps, 'logger' | 'metrics'>): express.RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const routePath = (req.route?.path as string | undefined) ?? 'unmatched';
      metrics.inc('jobrelay_http_requests_total', 'HTTP requests served', { method: req.method, route: routePath, status: res.statusCode });
      // The route's pattern, not the path: query strings carry secrets (a DirectApply token), paths personal data
      // (a recruiter's email in /v1/boards/…/accounts/:recruiterEmail).
      logger.info({ method: req.method, route: routePath, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}
