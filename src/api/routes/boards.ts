import type { Router } from 'express';
import { z } from 'zod';
import { boards as registry } from '../../boards/registry';
import { TestReport } from '../../domain/connector';
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
        scope: 'admin',
        summary: `Set up ${name}: the board checks the account before it is saved (credentials are stored encrypted; the answer masks them)`,
        tags,
        body: entry.settingsSchema,
        responses: {
          200: { description: 'the settings, masked' },
          422: {
            description:
              'the account cannot post (e.g. no poster email), the board refused it (its message), the base URL is not allowed, or it moves the board without the credentials for it',
          },
          502: { description: 'the board could not be reached to check the account; nothing was saved' },
        },
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
        scope: 'read',
        summary: `${name} settings, credentials masked, and the job statuses of open jobs that have no job type yet`,
        tags,
        responses: {
          200: { description: 'the settings, masked, with `unmappedJobStatuses: [{employmentStatus, openJobs}]`' },
          404: { description: 'the board is not set up' },
        },
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
        scope: 'admin',
        summary: `A recruiter’s own ${name} account: the board checks it before it is saved`,
        tags,
        body: entry.accountSchema,
        responses: {
          200: { description: 'the account, masked' },
          422: {
            description: 'the account cannot post (e.g. no poster email), the board refused it (its message), or the board is not set up',
          },
          502: { description: 'the board could not be reached to check the account; nothing was saved' },
        },
      },
      async ({ params, body, res }) => {
        res.json(await boards.putAccount(name, params.recruiterEmail, body));
      },
    );

    route(
      router,
      openapi,
      {
        method: 'post',
        path: `/v1/boards/${name}/test`,
        scope: 'write',
        summary: `Check the stored ${name} accounts with the board again: its own (when in use) and every recruiter’s`,
        tags,
        body: z.object({}).strict(),
        responses: { 200: { description: 'the report: each account, and the board’s message where it failed', schema: TestReport } },
      },
      async ({ res }) => {
        res.json(await boards.test(name));
      },
    );
  }
}
