import type { Router } from 'express';
import { boards as registry } from '../../boards/registry';
import type { BoardsService } from '../../services/boards';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['boards'];

/** One set of routes per board, each validated by (and documented with) that board's own schema. */
export function boardRoutes(router: Router, openapi: OpenApiRegistry, boards: BoardsService) {
  for (const [name, entry] of Object.entries(registry)) {
    route(
      router,
      openapi,
      {
        method: 'put',
        path: `/v1/boards/${name}`,
        summary: `Set up ${name} (credentials are stored encrypted; the answer masks them)`,
        tags,
        body: entry.settingsSchema,
        responses: { 200: { description: 'the settings, masked' } },
      },
      async ({ body, res }) => {
        res.json(await boards.putSettings(name, body));
      },
    );

    route(
      router,
      openapi,
      {
        method: 'get',
        path: `/v1/boards/${name}`,
        summary: `${name} settings, credentials masked`,
        tags,
        responses: { 200: { description: 'the settings, masked' } },
      },
      async ({ res }) => {
        res.json(await boards.getSettings(name));
      },
    );

    route(
      router,
      openapi,
      {
        method: 'put',
        path: `/v1/boards/${name}/accounts/:recruiterEmail`,
        summary: `A recruiter’s own ${name} account`,
        tags,
        body: entry.accountSchema,
        responses: { 200: { description: 'the account, masked' } },
      },
      async ({ params, body, res }) => {
        res.json(await boards.putAccount(name, params.recruiterEmail, body));
      },
    );
  }
}
