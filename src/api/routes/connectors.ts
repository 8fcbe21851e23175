import type { Router } from 'express';
import { z } from 'zod';
import { Connector, ConnectorInput, ConnectorPatch, ResyncInput, TestReport } from '../../domain/connector';
import { notFound } from '../../domain/errors';
import { PageQuery } from '../../domain/job';
import { text } from '../../domain/text';
import { providers } from '../../providers';
import type { ConnectorsService } from '../../services/connectors';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const SyncNow = z.object({ stream: text().min(1).optional().describe('one stream (e.g. jobs); unset = all') }).strict();
const Empty = z.object({}).strict();

export function connectorRoutes(router: Router, openapi: OpenApiRegistry, connectors: ConnectorsService) {
  const tags = ['connectors'];
  for (const [name, { sync }] of Object.entries(providers)) {
    if (!sync) continue;
    openapi.addSchema(`${name}.settings`, sync.settings);
    openapi.addSchema(`${name}.credentials`, sync.credentials);
  }
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
      scope: 'admin',
      summary: 'Connect a provider: settings are validated, credentials stored encrypted, and the sync loop started',
      tags,
      body: ConnectorInput,
      responses: {
        201: { description: 'created; its sync loop is running', schema: Connector },
        422: { description: 'the base URL is not one the credentials may go to' },
      },
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
      scope: 'read',
      summary: 'List connectors, newest first (state as stored; the live status is on each connector)',
      tags,
      query: PageQuery.extend({ provider: text().optional() }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(Connector), nextCursor: text().optional() }) } },
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
      scope: 'read',
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
      scope: 'admin',
      summary: 'Reconfigure: settings given are merged over the current ones; new credentials replace the old; a failing connector retries',
      tags,
      body: ConnectorPatch,
      responses: {
        200: { description: 'the connector', schema: Connector },
        404: { description: 'no such connector' },
        409: { description: 'the sync loop refused the change' },
        422: { description: 'the base URL is not allowed, or it moves the connector without the credentials for it' },
      },
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
      scope: 'write',
      summary: 'Run a stream (or all) now instead of waiting for its interval',
      tags,
      body: SyncNow,
      responses: { 202: { description: 'the run is requested', schema: Connector }, 409: { description: 'paused or failing' } },
    },
    async ({ params, body, res }) => {
      res.status(202).json(found(await connectors.syncNow(params.id, body.stream)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/connectors/:id/sweep',
      scope: 'write',
      summary: 'Run the reconciling sweep now: every record is read, what is missing or stale is written, what is gone is marked deleted',
      tags,
      body: SyncNow,
      responses: {
        202: { description: 'the sweep is started', schema: Connector },
        404: { description: 'no such connector' },
        409: { description: 'paused, failing, a stream that is off, or a sweep already running' },
      },
    },
    async ({ params, body, res }) => {
      res.status(202).json(found(await connectors.sweepNow(params.id, body.stream)));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/connectors/:id/resync',
      scope: 'write',
      summary: 'Read again from a date: every record changed since is fetched and written in place; nothing is deleted first',
      tags,
      body: ResyncInput,
      responses: {
        202: { description: 'the resync is queued (it starts when the stream’s current run ends)', schema: Connector },
        404: { description: 'no such connector' },
        409: { description: 'paused, failing, a stream that is off, or a date in the future' },
      },
    },
    async ({ params, body, res }) => {
      res.status(202).json(found(await connectors.resync(params.id, body.since, body.stream)));
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
        scope: 'write',
        summary,
        tags,
        body: Empty,
        responses: {
          200: { description: 'the connector', schema: Connector },
          404: { description: 'no such connector' },
          409: { description: 'the sync loop refused (e.g. already in that state)' },
        },
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
      scope: 'write',
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
