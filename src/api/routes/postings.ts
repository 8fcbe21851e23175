import type { Router } from 'express';
import { z } from 'zod';
import { AmendPosting, CreatePosting, Posting } from '../../domain/posting';
import { text } from '../../domain/text';
import type { BoardsService } from '../../services/boards';
import type { PostingsService } from '../../services/postings';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

const tags = ['postings'];
const PostingWithEvents = Posting.extend({
  events: z.array(z.object({ kind: text(), at: text(), details: z.record(text(), z.unknown()) })),
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
      scope: 'write',
      summary:
        'Post the job to a board. The same job and board again returns the posting while it is pending or live, and posts it again once it has ended (expired, unposted, failed)',
      tags,
      body: CreatePosting,
      responses: {
        202: { description: 'accepted: the posting is pending and its workflow posts it (a new cycle when posted again)', schema: Posting },
        200: { description: 'already pending or live', schema: Posting },
        409: { description: 'already pending or live with other options or another account' },
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
      scope: 'read',
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
      scope: 'read',
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
      scope: 'write',
      summary: 'Amend the posting’s options: a live posting is updated on the board; a pending one once it is live',
      tags,
      body: AmendPosting,
      responses: {
        200: { description: 'the posting, amended on the board', schema: Posting },
        202: { description: 'the posting is pending: amended on the board once the publish in flight ends', schema: Posting },
        409: { description: 'the posting has ended: nothing of it is on the board (post it again with the options)' },
        422: { description: 'the options cannot be posted (reasons in details)' },
      },
    },
    async ({ params, body, res }) => {
      const posting = await postings.amend(params.id, body);
      res.status(posting.state === 'pending' ? 202 : 200).json(posting);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/postings/:id/repost',
      scope: 'write',
      summary:
        'Repost: a new board job with a fresh expiry; a live posting at once, one that ended (expired, unposted, failed) as a new cycle',
      tags,
      responses: {
        200: { description: 'the live posting, reposted', schema: Posting },
        202: { description: 'the posting had ended: it is pending and its workflow posts it again', schema: Posting },
        409: { description: 'the posting is pending (being posted), or the job is closed' },
        422: { description: 'the job cannot be posted (reasons in details)' },
      },
    },
    async ({ params, res }) => {
      const { posting, created } = await postings.repost(params.id);
      res.status(created ? 202 : 200).json(posting);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'delete',
      path: '/v1/postings/:id',
      scope: 'write',
      summary: 'Unpost: take the job off the board (twice changes nothing)',
      tags,
      responses: {
        200: { description: 'the posting, unposted', schema: Posting },
        202: { description: 'the posting is pending: unposted once the publish in flight ends', schema: Posting },
        409: { description: 'the posting is already being unposted or changed (the reason in error)' },
      },
    },
    async ({ params, res }) => {
      const posting = await postings.unpost(params.id);
      res.status(posting.state === 'pending' ? 202 : 200).json(posting);
    },
  );
}
