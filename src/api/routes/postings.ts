import type { Router } from 'express';
import { z } from 'zod';
import { AmendPosting, CreatePosting, Posting } from '../../domain/posting';
import type { BoardsService } from '../../services/boards';
import type { PostingsService } from '../../services/postings';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['postings'];
const PostingWithEvents = Posting.extend({
  events: z.array(z.object({ kind: z.string(), at: z.string(), details: z.record(z.string(), z.unknown()) })),
});

export function postingRoutes(
  router: Router,
  openapi: OpenApiRegistry,
  postings: PostingsService,
  boards: BoardsService,
  events: (id: string) => Promise<unknown[]>,
) {
  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/jobs/:id/postings',
      summary: 'Post the job to a board (the same job and board again returns the existing posting)',
      tags,
      body: CreatePosting,
      responses: {
        202: { description: 'accepted: the posting workflow runs', schema: Posting },
        200: { description: 'already posted', schema: Posting },
        422: { description: 'the job cannot be posted (reasons in details)' },
      },
    },
    async ({ params, body, res }) => {
      const { posting, created } = await postings.request(params.id, body);
      res
        .status(created ? 202 : 200)
        .location(`/v1/postings/${posting.id}`)
        .json(posting);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/jobs/:id/boards',
      summary: 'Every board: configured, enabled, and this job’s posting there',
      tags,
      responses: { 200: { description: 'boards' } },
    },
    async ({ params, res }) => {
      res.json({ items: await boards.forJob(params.id) });
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/postings/:id',
      summary: 'A posting: state, link to view it on the board, expiry, reposts, last error, history',
      tags,
      responses: { 200: { description: 'the posting', schema: PostingWithEvents } },
    },
    async ({ params, res }) => {
      const posting = await postings.get(params.id);
      res.json({ ...posting, events: await events(posting.id) });
    },
  );

  route(
    router,
    openapi,
    {
      method: 'patch',
      path: '/v1/postings/:id',
      summary: 'Amend the posting’s options; a live posting is updated on the board',
      tags,
      body: AmendPosting,
      responses: { 200: { description: 'the posting', schema: Posting } },
    },
    async ({ params, body, res }) => {
      res.json(await postings.amend(params.id, body));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/postings/:id/repost',
      summary: 'Repost now: a fresh expiry for a live or expired posting',
      tags,
      responses: { 200: { description: 'the posting', schema: Posting } },
    },
    async ({ params, res }) => {
      res.json(await postings.repost(params.id));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'delete',
      path: '/v1/postings/:id',
      summary: 'Unpost: take the job off the board',
      tags,
      responses: { 200: { description: 'the posting', schema: Posting } },
    },
    async ({ params, res }) => {
      res.json(await postings.unpost(params.id));
    },
  );
}
