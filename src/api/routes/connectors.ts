import type { Router } from 'express';
import { z } from 'zod';
import { Connector, ConnectorInput, ConnectorPatch, TestReport } from '../../domain/connector';
import { notFound } from '../../domain/errors';
import { PageQuery } from '../../domain/job';
import type { ConnectorsService } from '../../services/connectors';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const SyncNow = z.object({ stream: z.string().min(1).optional().describe('one stream (e.g. jobs); unset = all') }).strict();
const Empty = z.object({}).strict();

export function connectorRoutes(router: Router, openapi: OpenApiRegistry, connectors: ConnectorsService) {
  const tags = ['connectors'];
  const found = (c: Connector | undefined) => {
    if (!c) throw notFound('connector');
    return c;
  };

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/connectors',
      summary: 'Connect a provider: settings are validated, credentials stored encrypted, and the sync loop started',
      tags,
      body: ConnectorInput,
      responses: { 201: { description: 'created; its sync loop is running', schema: Connector } },
    },
    async ({ body, res }) => {
      const connector = await connectors.create(body);
      res.status(201).location(`/v1/connectors/${connector.id}`).json(connector);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors',
      summary: 'List connectors, newest first (state as stored; the live status is on each connector)',
      tags,
      query: PageQuery.extend({ provider: z.string().optional() }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(Connector), nextCursor: z.string().optional() }) } },
    },
    async ({ query, res }) => {
      res.json(await connectors.list(query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id',
      summary: 'A connector with its live sync status (per stream: last run, counts, next run, backfill progress)',
      tags,
      responses: { 200: { description: 'the connector', schema: Connector }, 404: { description: 'no such connector' } },
    },
    async ({ params, res }) => {
      res.json(found(await connectors.get(params.id)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'patch',
      path: '/v1/connectors/:id',
      summary: 'Reconfigure: settings given are merged over the current ones; new credentials replace the old; a failing connector retries',
      tags,
      body: ConnectorPatch,
      responses: { 200: { description: 'the connector', schema: Connector }, 404: { description: 'no such connector' } },
    },
    async ({ params, body, res }) => {
      res.json(found(await connectors.update(params.id, body)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/connectors/:id/sync',
      summary: 'Run a stream (or all) now instead of waiting for its interval',
      tags,
      body: SyncNow,
      responses: { 202: { description: 'the run is requested', schema: Connector }, 409: { description: 'paused or failing' } },
    },
    async ({ params, body, res }) => {
      res.status(202).json(found(await connectors.syncNow(params.id, body.stream)));
    },
  );

  for (const [action, summary] of [
    ['pause', 'Pause the sync loop (a run in progress stops after its current page)'],
    ['resume', 'Resume a paused or failing connector; an interrupted run continues from its cursor'],
  ] as const) {
    route(
      router,
      openapi,
      {
        method: 'post',
        path: `/v1/connectors/:id/${action}`,
        summary,
        tags,
        body: Empty,
        responses: { 200: { description: 'the connector', schema: Connector }, 404: { description: 'no such connector' } },
      },
      async ({ params, res }) => {
        res.json(found(await connectors[action](params.id)));
      },
    );
  }

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/connectors/:id/test',
      summary: 'Test the connection: credentials and each permission the sync needs; reports what is missing',
      tags,
      body: Empty,
      responses: { 200: { description: 'the report', schema: TestReport }, 404: { description: 'no such connector' } },
    },
    async ({ params, res }) => {
      const report = await connectors.test(params.id);
      if (!report) throw notFound('connector');
      res.json(report);
    },
  );
}
