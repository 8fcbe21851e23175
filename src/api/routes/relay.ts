import type { Router } from 'express';
import { z } from 'zod';
import { PageQuery } from '../../domain/job';
import {
  Delivery,
  DeliveryQuery,
  HeldChange,
  RetryDeliveries,
  SourceChoice,
  Sources,
  StatusMapping,
  StatusMappingInput,
  StatusRun,
  StatusSync,
  StatusSyncSchedule,
} from '../../domain/relay';
import { text } from '../../domain/text';
import type { RelayService } from '../../services/relay';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const Empty = z.object({}).strict();
const notRelay = { description: 'no such connector, or its provider relays nothing' };
const notEnabled = { description: 'the status sync is not enabled' };
const atsRefused = {
  description: 'the ATS refused the connector’s credentials (the failure’s class; the connection test says which check)',
};
const atsSilent = { description: 'the ATS did not answer' };

/** A relay connector's own routes (erecruiter-inhire): source id, deliveries, status mapping and the daily status sync. */
export function relayRoutes(router: Router, openapi: OpenApiRegistry, relay: RelayService) {
  const tags = ['relay'];

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id/sources',
      summary: 'The ATS’s publication places ("Import source ID"), read live, and the one chosen',
      tags,
      responses: { 200: { description: 'the places', schema: Sources }, 404: notRelay, 422: atsRefused, 502: atsSilent },
    },
    async ({ params, res }) => {
      res.json(await relay.sources(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'put',
      path: '/v1/connectors/:id/source',
      scope: 'admin',
      summary: 'Choose the publication place delivered candidates are tagged with; deliveries refused for want of one go again',
      tags,
      body: SourceChoice,
      responses: {
        200: { description: 'chosen', schema: Sources },
        404: notRelay,
        422: { description: 'the ATS has no such place, or refused the connector’s credentials' },
        502: atsSilent,
      },
    },
    async ({ params, body, res }) => {
      res.json(await relay.chooseSource(params.id, body.sourceId));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id/deliveries',
      summary: 'Candidates delivered into the ATS, newest first: state, the ATS application id, or why it was refused',
      tags,
      query: DeliveryQuery,
      responses: {
        200: { description: 'a page', schema: z.object({ items: z.array(Delivery), nextCursor: text().optional() }) },
        404: notRelay,
      },
    },
    async ({ params, query, res }) => {
      res.json(await relay.deliveries(params.id, query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/connectors/:id/deliveries/retry',
      scope: 'write',
      summary: 'Deliver refused and failed candidates again (each in its workflow)',
      tags,
      body: RetryDeliveries,
      responses: { 202: { description: 'their workflows run', schema: z.object({ restarted: z.number() }) }, 404: notRelay },
    },
    async ({ params, body, res }) => {
      res.status(202).json(await relay.retryDeliveries(params.id, body.state));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/connectors/:id/status-sync',
      scope: 'admin',
      summary: 'Switch the status sync on: needs a working connection; reads every ATS stage; creates the daily Schedule',
      tags,
      body: StatusSyncSchedule,
      responses: {
        201: { description: 'switched on', schema: StatusSync },
        200: { description: 'it was on already (a time or zone given moves the Schedule)', schema: StatusSync },
        404: notRelay,
        422: { description: 'the connection does not work: the test report says which side and why' },
        502: atsSilent,
      },
    },
    async ({ params, body, res }) => {
      const { created, view } = await relay.enableStatusSync(params.id, body);
      res.status(created ? 201 : 200).json(view);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id/status-sync',
      summary: 'The status sync: when it was switched on, its Schedule (paused, next runs), where the last good run ended',
      tags,
      responses: { 200: { description: 'the status sync', schema: StatusSync }, 404: notRelay, 409: notEnabled },
    },
    async ({ params, res }) => {
      res.json(await relay.statusSync(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'patch',
      path: '/v1/connectors/:id/status-sync',
      scope: 'admin',
      summary: 'Another daily time or time zone (the Schedule changes at once)',
      tags,
      body: StatusSyncSchedule,
      responses: { 200: { description: 'the status sync', schema: StatusSync }, 404: notRelay, 409: notEnabled },
    },
    async ({ params, body, res }) => {
      res.json(await relay.reschedule(params.id, body));
    },
  );

  for (const [action, summary, status, scope] of [
    ['pause', 'Pause the daily Schedule (a run under way finishes)', 200, 'admin'],
    ['unpause', 'Unpause the daily Schedule', 200, 'admin'],
    ['trigger', 'Run the status sync now (409 while a run is under way)', 202, 'write'],
  ] as const) {
    route(
      router,
      openapi,
      {
        method: 'post',
        path: `/v1/connectors/:id/status-sync/${action}`,
        scope,
        summary,
        tags,
        body: Empty,
        responses: { [status]: { description: 'the status sync', schema: StatusSync }, 404: notRelay, 409: notEnabled },
      },
      async ({ params, res }) => {
        res.status(status).json(await relay[action](params.id));
      },
    );
  }

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id/status-sync/runs',
      summary: 'Runs, newest first: read, pushed, unchanged, unmapped, failed and ignored, with reasons, and the mapping version used',
      tags,
      query: PageQuery,
      responses: {
        200: { description: 'a page', schema: z.object({ items: z.array(StatusRun), nextCursor: text().optional() }) },
        409: notEnabled,
      },
    },
    async ({ params, query, res }) => {
      res.json(await relay.runs(params.id, query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id/status-sync/runs/:runId',
      summary: 'One run (by its Temporal run id)',
      tags,
      responses: { 200: { description: 'the run', schema: StatusRun }, 404: { description: 'no such connector or run' }, 409: notEnabled },
    },
    async ({ params, res }) => {
      res.json(await relay.run(params.id, params.runId));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id/status-sync/unmapped',
      summary: 'Stage changes waiting for their stage to be mapped (never guessed; pushed by the first run after)',
      tags,
      responses: { 200: { description: 'the list', schema: z.object({ items: z.array(HeldChange) }) }, 404: notRelay, 409: notEnabled },
    },
    async ({ params, res }) => {
      res.json(await relay.held(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/connectors/:id/status-mapping',
      summary: 'The status mapping: every ATS stage, locked defaults, the tool’s status of each, and the unmapped ones',
      tags,
      responses: { 200: { description: 'the mapping', schema: StatusMapping }, 404: notRelay, 409: notEnabled },
    },
    async ({ params, res }) => {
      res.json(await relay.mapping(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'put',
      path: '/v1/connectors/:id/status-mapping',
      scope: 'admin',
      summary: 'Save the mapping: every stage mapped, locked defaults unchanged; kept as a new version',
      tags,
      body: StatusMappingInput,
      responses: {
        200: { description: 'saved', schema: StatusMapping },
        404: notRelay,
        409: notEnabled,
        422: { description: 'a locked stage remapped, a stage unmapped, or an unknown stage or status: every one named' },
      },
    },
    async ({ params, body, res }) => {
      res.json(await relay.saveMapping(params.id, body.mapping));
    },
  );
}
