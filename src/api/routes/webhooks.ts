import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { boardIntake, boards } from '../../boards/registry';
import type { BoardIntake } from '../../boards/types';
import type { SecretBox } from '../../crypto/secrets';
import { text } from '../../domain/text';
import { Delivery, MAX_DELIVERY_BYTES } from '../../intake/delivery';
import { postingTokenValid } from '../../intake/delivery-url';
import { SIGNATURE_HEADER, verifySignature } from '../../intake/signature';
import type { Logger } from '../../logger';
import type { IntakeService } from '../../services/intake';
import { HttpError, toHttpError } from '../errors';
import type { OpenApiRegistry } from '../openapi';

export interface WebhookDeps {
  intake: IntakeService;
  secrets: SecretBox;
  /** When set, every delivery must carry `X-Signature`: HMAC-SHA256 of the raw body under this secret. */
  signingSecret?: string;
  logger: Logger;
}

const PATH = '/v1/webhooks/:board/applications';

const DeliveryQuery = z.object({
  posting: text().describe('the posting the application is for'),
  token: text().describe('the posting’s delivery secret, as given in its delivery URL'),
});

/**
 * Where boards deliver applications, one path per board with an intake part (its entry's `intake`): outside bearer
 * auth (the board's own proof, checked before the body is read, and optionally a body signature), with its own
 * raw-body parser and size limit. Answers 200 once the application is staged in the store (durable), and its
 * intake workflow is started right after (or by the intake sweep); anything else makes the board deliver again.
 */
export function webhookRoutes(openapi: OpenApiRegistry, deps: WebhookDeps): Router {
  for (const [board, entry] of Object.entries(boards)) {
    if (!entry.intake) continue;
    openapi.add({
      method: 'post',
      path: PATH.replace(':board', board),
      summary: entry.intake.summary,
      tags: ['webhooks'],
      auth: 'webhook',
      query: DeliveryQuery,
      body: entry.intake.delivery,
      responses: {
        200: { description: 'taken: the application is staged and its intake workflow follows' },
        401: { description: 'missing or wrong delivery token or signature; nothing was written' },
        404: { description: 'unknown posting' },
        413: { description: `the delivery is larger than ${MAX_DELIVERY_BYTES} bytes` },
        422: { description: 'the posting requires a CV (quick apply is off) and none usable came' },
        503: { description: 'the application could not be staged (the store is unavailable); the board should deliver it again' },
      },
    });
  }

  const router = Router();
  router.post(
    PATH,
    authenticated(deps.secrets),
    express.raw({ type: () => true, limit: MAX_DELIVERY_BYTES }),
    signature(deps.signingSecret),
    async (req, res, next) => {
      try {
        const delivery = parseDelivery(res.locals.intake as BoardIntake, req.body);
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

/** The board's intake, and its proof that the request is the board's, checked before the body is read. */
function authenticated(secrets: SecretBox): RequestHandler {
  return (req, res, next) => {
    const intake = boardIntake(req.params.board as string);
    if (!intake) return next(new HttpError(404, `no application webhook for ${req.params.board}`));
    res.locals.intake = intake;
    const { posting, token } = req.query;
    const ok = intake.authenticate({ postingTokenValid: postingTokenValid(secrets, posting, token), header: (name) => req.get(name) });
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

/** The board's delivery, held to the shape every intake shares (a board's schema cannot let a bad id through). */
function parseDelivery(intake: BoardIntake, body: unknown): Delivery {
  let json: unknown;
  try {
    json = JSON.parse((Buffer.isBuffer(body) ? body : Buffer.alloc(0)).toString('utf8'));
  } catch {
    throw new HttpError(400, 'malformed JSON body');
  }
  const parsed = intake.delivery.pipe(Delivery).safeParse(json);
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
    const known = toHttpError(err);
    if (known) return void res.status(known.status).json({ error: known.message, details: known.details });
    if (err?.type === 'entity.too.large')
      return void res.status(413).json({ error: `the delivery is larger than ${MAX_DELIVERY_BYTES} bytes` });
    if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500)
      return void res.status(err.status).json({ error: 'bad request' });
    logger.error({ err: { message: err?.message, name: err?.name }, path: req.path }, 'application delivery failed');
    res.status(500).json({ error: 'internal error' });
  };
}
