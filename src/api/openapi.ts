import { type ZodType, z } from 'zod';
import { text } from '../domain/text';
import type { Scope } from '../domain/token';

export interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, e.g. `/v1/jobs/:id`. */
  path: string;
  summary: string;
  tags?: string[];
  body?: ZodType;
  query?: ZodType;
  responses: Record<number, { description: string; schema?: ZodType }>;
  auth?: 'bearer' | 'none' | 'webhook';
  /** What a bearer token needs to call it; unset: `read` for GET, `write` otherwise. Board and connector credentials, tokens, erasure and exports are `admin`. */
  scope?: Scope;
}

/** Every path parameter (an id, an email): checked by `route()`. */
export const PathParam = text().min(1).max(320);

export const ErrorBody = z.object({ error: text(), details: z.unknown().optional() });

/** The scope a bearer route needs; undefined for routes outside bearer auth. */
export function scopeOf(op: OperationSpec): Scope | undefined {
  if (op.auth !== undefined && op.auth !== 'bearer') return undefined;
  return op.scope ?? (op.method === 'get' ? 'read' : 'write');
}

/** The answers every operation may give besides its own: bad input, auth, rate limit, unknown ids, a body too large. */
function commonResponses(op: OperationSpec): OperationSpec['responses'] {
  const error = (description: string) => ({ description, schema: ErrorBody });
  const responses: OperationSpec['responses'] = { 400: error('invalid request (the issues in details)') };
  if (scopeOf(op)) {
    responses[401] = error('missing or invalid bearer token');
    responses[403] = error(`the token's scope does not allow this (needs ${scopeOf(op)})`);
    responses[429] = error('too many requests for this token (see Retry-After)');
  }
  if (op.path.includes(':')) responses[404] = error('not found');
  if (op.body) responses[413] = error('request body too large');
  return responses;
}

/** Collects every route's spec and renders the OpenAPI 3.1 document from the same zod schemas that validate. */
export class OpenApiRegistry {
  private readonly operations: OperationSpec[] = [];
  private readonly schemas = new Map<string, ZodType>();

  add(spec: OperationSpec): void {
    this.operations.push(spec);
  }

  /** A schema a body refers to by name only (e.g. each provider's connector settings): under `components.schemas`. */
  addSchema(name: string, schema: ZodType): void {
    this.schemas.set(name, schema);
  }

  document(serverUrl: string) {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const op of this.operations) {
      const path = op.path.replace(/:(\w+)/g, '{$1}');
      const params = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: jsonSchema(PathParam, 'input'),
      }));
      const queryParams = op.query ? queryParameters(op.query) : [];
      paths[path] ??= {};
      const scope = scopeOf(op);
      const responses = { ...commonResponses(op), ...op.responses };
      paths[path][op.method] = {
        summary: op.summary,
        description: scope ? `Needs a token with scope \`${scope}\` (or above).` : undefined,
        tags: op.tags,
        security: scope ? [{ bearer: [scope] }] : [],
        'x-scope': scope,
        parameters: [...params, ...queryParams],
        requestBody: op.body ? { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } : undefined,
        responses: Object.fromEntries(
          Object.entries(responses).map(([status, r]) => {
            const schema = r.schema ?? (Number(status) >= 400 ? ErrorBody : undefined);
            return [
              status,
              {
                description: r.description,
                content: schema ? { 'application/json': { schema: jsonSchema(schema, 'output') } } : undefined,
              },
            ];
          }),
        ),
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'jobrelay API', version: '0.1.0', description: 'Recruiting-integration orchestrator on Temporal.' },
      servers: [{ url: serverUrl }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: Object.fromEntries([...this.schemas].map(([name, schema]) => [name, jsonSchema(schema, 'input')])),
      },
      paths,
    };
  }
}

function jsonSchema(schema: ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

function queryParameters(schema: ZodType) {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}
