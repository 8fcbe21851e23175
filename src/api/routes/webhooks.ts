import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secrets';
import { DELIVERY_PURPOSE } from '../../intake/delivery-url';
import { DirectApplyDelivery, MAX_DELIVERY_BYTES } from '../../intake/direct-apply';
import { SIGNATURE_HEADER, verifySignature } from '../../intake/signature';
import type { Logger } from '../../logger';
import type { IntakeService } from '../../services/intake';
import { HttpError } from '../errors';
import type { OpenApiRegistry } from '../openapi';

export interface WebhookDeps {
  intake: IntakeService;
  secrets: SecretBox;
  /** When set, every delivery must carry `X-Signature`: HMAC-SHA256 of the raw body under this secret. */
  signingSecret?: string;
  logger: Logger;
}

const PATH = '/v1/webhooks/:board/applications';
/** Boards that deliver applications to us, with the shape of their deliveries. */
const DELIVERIES: Record<string, typeof DirectApplyDelivery> = { 'cv-library': DirectApplyDelivery };

const DeliveryQuery = z.object({
  posting: z.string().describe('the posting the application is for'),
  token: z.string().describe('the posting’s delivery secret, as given in its direct_apply_url'),
});

/**
 * Where boards deliver applications: outside bearer auth (the per-posting token in the URL, and optionally a
 * body signature, authenticate the board), with its own raw-body parser and size limit. Answers 200 only once
 * Temporal holds the application's intake workflow; anything else makes the board deliver again.
 */
export function webhookRoutes(openapi: OpenApiRegistry, deps: WebhookDeps): Router {
  openapi.add({
    method: 'post',
    path: '/v1/webhooks/cv-library/applications',
    summary: 'CV-Library DirectApply: an application for a posting (the URL given to the board when the job was posted)',
    tags: ['webhooks'],
    auth: 'webhook',
    query: DeliveryQuery,
    body: DirectApplyDelivery,
    responses: {
      200: { description: 'taken: the intake workflow holds the application' },
      401: { description: 'missing or wrong delivery token or signature; nothing was written' },
      404: { description: 'unknown posting' },
      413: { description: `the delivery is larger than ${MAX_DELIVERY_BYTES} bytes` },
      422: { description: 'the posting requires a CV (quick apply is off) and none usable came' },
      503: { description: 'the application could not be queued; the board should deliver it again' },
    },
  });

  const router = Router();
  router.post(
    PATH,
    knownBoard,
    deliveryToken(deps.secrets),
    express.raw({ type: () => true, limit: MAX_DELIVERY_BYTES }),
    signature(deps.signingSecret),
    async (req, res, next) => {
      try {
        const delivery = parseDelivery(DELIVERIES[req.params.board as string], req.body);
        const taken = await deps.intake.receive(req.params.board as string, String(req.query.posting), delivery);
        res.status(200).json({ received: true, applicationId: taken.applicationId, workflowId: taken.workflowId });
      } catch (err) {
        next(err);
      }
    },
  );
  router.use(PATH, deliveryErrors(deps.logger));
  return router;
}

const knownBoard: RequestHandler = (req, _res, next) => {
  next(DELIVERIES[req.params.board as string] ? undefined : new HttpError(404, `no application webhook for ${req.params.board}`));
};

/** The posting's token, checked before the body is read; compared in constant time. */
function deliveryToken(secrets: SecretBox): RequestHandler {
  return (req, _res, next) => {
    const { posting, token } = req.query;
    const ok = typeof posting === 'string' && typeof token === 'string' && secrets.verify(DELIVERY_PURPOSE, posting, token);
    next(ok ? undefined : new HttpError(401, 'missing or invalid delivery token'));
  };
}

function signature(secret: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!secret) return next();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    next(verifySignature(secret, body, req.get(SIGNATURE_HEADER)) ? undefined : new HttpError(401, 'missing or invalid X-Signature'));
  };
}

function parseDelivery(schema: typeof DirectApplyDelivery, body: unknown): DirectApplyDelivery {
  let json: unknown;
  try {
    json = JSON.parse((Buffer.isBuffer(body) ? body : Buffer.alloc(0)).toString('utf8'));
  } catch {
    throw new HttpError(400, 'malformed JSON body');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new HttpError(
      400,
      'invalid application',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })),
    );
  }
  return parsed.data;
}

/** JSON errors for the board; logs name the path only (the query string holds the posting's token). */
function deliveryErrors(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) return void res.status(err.status).json({ error: err.message, details: err.details });
    if (err?.type === 'entity.too.large')
      return void res.status(413).json({ error: `the delivery is larger than ${MAX_DELIVERY_BYTES} bytes` });
    if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500)
      return void res.status(err.status).json({ error: 'bad request' });
    logger.error({ err: { message: err?.message, name: err?.name }, path: req.path }, 'application delivery failed');
    res.status(500).json({ error: 'internal error' });
  };
}
