import type { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../../domain/errors';
import { PageQuery } from '../../domain/job';
import { text } from '../../domain/text';
import { ApiToken, NewApiToken, TokenInput } from '../../domain/token';
import type { TokensService } from '../../services/tokens';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['tokens'];

/** Bearer tokens, made and revoked by an admin; the token itself is shown once. */
export function tokenRoutes(router: Router, openapi: OpenApiRegistry, tokens: TokensService) {
  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/tokens',
      summary: 'Make a bearer token with a scope (read, write or admin); the answer is the only time the token is shown',
      tags,
      scope: 'admin',
      body: TokenInput,
      responses: { 201: { description: 'made', schema: NewApiToken } },
    },
    async ({ body, res }) => {
      res.status(201).json(await tokens.create(body));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/tokens',
      summary: 'Tokens made through the API, newest first (never the tokens themselves)',
      tags,
      scope: 'admin',
      query: PageQuery,
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(ApiToken), nextCursor: text().optional() }) } },
    },
    async ({ query, res }) => {
      res.json(await tokens.list(query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'delete',
      path: '/v1/tokens/:id',
      summary: 'Revoke a token: it is refused from the next request on',
      tags,
      scope: 'admin',
      responses: { 200: { description: 'revoked', schema: ApiToken } },
    },
    async ({ params, res }) => {
      const revoked = await tokens.revoke(params.id);
      if (!revoked) throw notFound('token');
      res.json(revoked);
    },
  );
}
