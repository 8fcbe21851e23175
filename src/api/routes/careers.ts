import type { Router } from 'express';
import { CareersSettings } from '../../careers/settings';
import type { CareersService } from '../../services/careers';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['careers'];

export function careersRoutes(router: Router, openapi: OpenApiRegistry, careers: CareersService) {
  route(
    router,
    openapi,
    {
      method: 'put',
      path: '/v1/careers/settings',
      summary: 'Brand the careers site: company name, logo, colours (readable contrast required), intro text',
      tags,
      body: CareersSettings,
      responses: { 200: { description: 'the settings now in force' } },
    },
    async ({ body, res }) => {
      res.json(await careers.putSettings(body));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/careers/settings',
      summary: 'The careers site’s branding (the defaults until set)',
      tags,
      responses: { 200: { description: 'the settings' } },
    },
    async ({ res }) => {
      res.json(await careers.settings());
    },
  );
}
