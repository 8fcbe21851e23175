import type { Request, RequestHandler, Response, Router } from 'express';
import type { ZodType, z } from 'zod';
import { requireScope } from './auth';
import { HttpError } from './errors';
import { type OpenApiRegistry, type OperationSpec, PathParam, scopeOf } from './openapi';

type Infer<T> = T extends ZodType ? z.infer<T> : undefined;

export interface Typed<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  req: Request;
  res: Response;
}

/**
 * Declares a route once: checks the caller's token scope (403), validates path parameters, body and query with
 * zod (400 with the issues), records it in the OpenAPI document, and hands the handler parsed values.
 */
export function route<S extends OperationSpec>(
  router: Router,
  openapi: OpenApiRegistry,
  spec: S,
  handler: (input: Typed<Infer<S['body']>, Infer<S['query']>>) => Promise<void>,
): void {
  openapi.add(spec);
  const scope = scopeOf(spec);
  const h: RequestHandler = async (req, res, next) => {
    try {
      if (scope) requireScope(res, scope);
      for (const [name, value] of Object.entries(req.params as Record<string, string>)) parse(PathParam, value, `path parameter ${name}`);
      const body = spec.body ? parse(spec.body, req.body ?? {}, 'body') : undefined;
      const query = spec.query ? parse(spec.query, req.query, 'query') : undefined;
      await handler({ body, query, params: req.params as Record<string, string>, req, res } as never);
    } catch (err) {
      next(err);
    }
  };
  router[spec.method](spec.path, h);
}

function parse(schema: ZodType, value: unknown, where: string) {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(
      400,
      `invalid ${where}`,
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })),
    );
  }
  return result.data;
}
