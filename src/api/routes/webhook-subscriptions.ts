import type { Router } from 'express';
import { z } from 'zod';
import { PageQuery } from '../../domain/job';
import { text } from '../../domain/text';
import {
  DeliveriesQuery,
  NewWebhookSubscription,
  RotateSecret,
  WebhookDelivery,
  WebhookSubscription,
  WebhookSubscriptionInput,
} from '../../domain/webhooks';
import type { WebhookSubscriptionsService } from '../../services/webhook-subscriptions';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['webhooks out'];
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: text().optional() });

/** Events out: subscriptions (admin), their deliveries and redelivery. */
export function webhookSubscriptionRoutes(router: Router, openapi: OpenApiRegistry, subscriptions: WebhookSubscriptionsService) {
  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/webhook-subscriptions',
      scope: 'admin',
      summary: 'Subscribe a URL to event types; the answer holds the signing secret, the only time it is shown',
      tags,
      body: WebhookSubscriptionInput,
      responses: {
        201: { description: 'subscribed: events raised from now on are delivered to it', schema: NewWebhookSubscription },
        422: { description: 'the URL is not a destination deliveries may go to (why in error)' },
        503: { description: 'Temporal did not start its deliveries; nothing was saved' },
      },
    },
    async ({ body, res }) => {
      const created = await subscriptions.create(body);
      res.status(201).location(`/v1/webhook-subscriptions/${created.id}`).json(created);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/webhook-subscriptions',
      scope: 'admin',
      summary: 'Live subscriptions, newest first (never their secrets)',
      tags,
      query: PageQuery,
      responses: { 200: { description: 'a page', schema: page(WebhookSubscription) } },
    },
    async ({ query, res }) => {
      res.json(await subscriptions.list(query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/webhook-subscriptions/:id',
      scope: 'admin',
      summary: 'A subscription with its deliveries counted by state',
      tags,
      responses: { 200: { description: 'the subscription', schema: WebhookSubscription } },
    },
    async ({ params, res }) => {
      res.json(await subscriptions.get(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'delete',
      path: '/v1/webhook-subscriptions/:id',
      scope: 'admin',
      summary: 'Unsubscribe: nothing more is delivered, waiting deliveries are cancelled',
      tags,
      responses: { 200: { description: 'deleted', schema: WebhookSubscription } },
    },
    async ({ params, res }) => {
      res.json(await subscriptions.delete(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/webhook-subscriptions/:id/rotate-secret',
      scope: 'admin',
      summary: 'A new signing secret, shown once; the old one keeps signing deliveries too for graceHours (default 24)',
      tags,
      body: RotateSecret,
      responses: { 200: { description: 'rotated', schema: NewWebhookSubscription } },
    },
    async ({ params, body, res }) => {
      res.json(await subscriptions.rotateSecret(params.id, body.graceHours));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/webhook-subscriptions/:id/deliveries',
      scope: 'admin',
      summary: 'Deliveries to the subscription, newest first: state, attempts, last response code and error',
      tags,
      query: DeliveriesQuery,
      responses: { 200: { description: 'a page', schema: page(WebhookDelivery) } },
    },
    async ({ params, query, res }) => {
      res.json(await subscriptions.deliveries(params.id, query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/webhook-subscriptions/:id/deliveries/:eventId/redeliver',
      scope: 'admin',
      summary: 'Deliver one event again (the same event id), now; delivered or failed alike',
      tags,
      responses: {
        202: { description: 'queued: it is sent in the subscription’s next round (see its deliveries)', schema: WebhookDelivery },
        503: { description: 'Temporal did not take it now: the event waits and goes with the next round' },
      },
    },
    async ({ params, res }) => {
      res.status(202).json(await subscriptions.redeliver(params.id, params.eventId));
    },
  );
}
