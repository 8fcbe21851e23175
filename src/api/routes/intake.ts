import type { Router } from 'express';
import { z } from 'zod';
import { text } from '../../domain/text';
import type { IntakeService } from '../../services/intake';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['intake'];
const DeliveryState = z.enum(['received', 'processed', 'rejected', 'failed']);
const StagedDelivery = z.object({
  provider: text(),
  applicationId: text(),
  workflowId: text(),
  postingId: text(),
  jobId: text(),
  cvRequired: z.boolean(),
  late: z.boolean(),
  state: DeliveryState,
  reason: text().optional(),
  receivedAt: text(),
  processedAt: text().optional(),
});

/** What an operator needs for applications the intake could not take in: find them, and run them again. */
export function intakeRoutes(router: Router, openapi: OpenApiRegistry, intake: IntakeService) {
  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/intake/deliveries',
      summary: 'Applications as boards delivered them, by state (`failed`: kept for a replay, with the reason)',
      tags,
      scope: 'admin',
      query: z.object({ state: DeliveryState.default('failed'), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: { 200: { description: 'newest first', schema: z.object({ items: z.array(StagedDelivery) }) } },
    },
    async ({ query, res }) => {
      res.json(await intake.list(query.state, query.limit));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/intake/deliveries/:provider/:applicationId/replay',
      summary: 'Run a failed application’s intake again, once its cause is fixed',
      tags,
      scope: 'admin',
      responses: {
        202: { description: 'its intake workflow runs', schema: z.object({ applicationId: text(), workflowId: text() }) },
        409: { description: 'the application is not failed' },
        503: { description: 'Temporal did not take it; the intake sweep will start it' },
      },
    },
    async ({ params, res }) => {
      res.status(202).json(await intake.replay(params.provider, params.applicationId));
    },
  );
}
