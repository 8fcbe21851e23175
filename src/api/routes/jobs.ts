import type { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../../domain/errors';
import { Job, JobInput, JobListQuery, JobPatch } from '../../domain/job';
import { text } from '../../domain/text';
import type { JobsService } from '../../services/jobs';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

export function jobRoutes(router: Router, openapi: OpenApiRegistry, jobs: JobsService) {
  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/jobs',
      scope: 'read',
      summary: 'List jobs, newest first',
      tags: ['jobs'],
      query: JobListQuery,
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(Job), nextCursor: text().optional() }) } },
    },
    async ({ query, res }) => {
      res.json(await jobs.list(query));
    },
  );

  route(
    router,
    openapi,
    {
      method: 'post',
      path: '/v1/jobs',
      scope: 'write',
      summary: 'Create a job',
      tags: ['jobs'],
      body: JobInput,
      responses: { 201: { description: 'created', schema: Job } },
    },
    async ({ body, res }) => {
      const job = await jobs.create(body);
      res.status(201).location(`/v1/jobs/${job.id}`).json(job);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/v1/jobs/:id',
      scope: 'read',
      summary: 'Get a job',
      tags: ['jobs'],
      responses: { 200: { description: 'the job', schema: Job }, 404: { description: 'no such job' } },
    },
    async ({ params, res }) => {
      const job = await jobs.get(params.id);
      if (!job) throw notFound('job');
      res.json(job);
    },
  );

  route(
    router,
    openapi,
    {
      method: 'patch',
      path: '/v1/jobs/:id',
      scope: 'write',
      summary:
        'Edit a job of our own: its live and pending postings are amended on their boards, closing it unposts them (reopening it does not post them again)',
      tags: ['jobs'],
      body: JobPatch,
      responses: {
        200: { description: 'the job; its postings follow', schema: Job },
        404: { description: 'no such job' },
        409: { description: 'the job is synced from an ATS (its source and connector named): edit it there' },
        422: { description: 'a live or pending posting could not carry the edit to its board (reasons in details)' },
      },
    },
    async ({ params, body, res }) => {
      const job = await jobs.update(params.id, body);
      if (!job) throw notFound('job');
      res.json(job);
    },
  );
}
