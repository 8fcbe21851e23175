import type { Router } from 'express';
import { z } from 'zod';
import { text } from '../../domain/text';
import type { OpenApiRegistry } from '../openapi';
import { route } from '../route';

export interface HealthDeps {
  /** Each check resolves when its dependency answers. */
  checks: Record<string, () => Promise<unknown>>;
  metrics: () => string;
}

const Ready = z.object({ ready: z.boolean(), checks: z.record(text(), z.object({ ok: z.boolean(), error: text().optional() })) });

export function healthRoutes(router: Router, openapi: OpenApiRegistry, deps: HealthDeps) {
  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness',
      tags: ['ops'],
      auth: 'none',
      responses: { 200: { description: 'the process is up' } },
    },
    async ({ res }) => {
      res.json({ ok: true });
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: Temporal and the database answer',
      tags: ['ops'],
      auth: 'none',
      responses: { 200: { description: 'ready', schema: Ready }, 503: { description: 'not ready', schema: Ready } },
    },
    async ({ res }) => {
      const entries = await Promise.all(
        Object.entries(deps.checks).map(async ([name, check]) => {
          try {
            await withTimeout(check(), 3000);
            return [name, { ok: true }] as const;
          } catch (err) {
            return [name, { ok: false, error: (err as Error).message }] as const;
          }
        }),
      );
      const ready = entries.every(([, r]) => r.ok);
      res.status(ready ? 200 : 503).json({ ready, checks: Object.fromEntries(entries) });
    },
  );

  route(
    router,
    openapi,
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['ops'],
      auth: 'none',
      responses: { 200: { description: 'text exposition format' } },
    },
    async ({ res }) => {
      res.type('text/plain; version=0.0.4').send(deps.metrics());
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}
