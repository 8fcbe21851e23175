import { type ZodType, z } from 'zod';

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
}

const ErrorBody = z.object({ error: z.string(), details: z.unknown().optional() });

/** Collects every route's spec and renders the OpenAPI 3.1 document from the same zod schemas that validate. */
export class OpenApiRegistry {
  private readonly operations: OperationSpec[] = [];

  add(spec: OperationSpec): void {
    this.operations.push(spec);
  }

  document(serverUrl: string) {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const op of this.operations) {
      const path = op.path.replace(/:(\w+)/g, '{$1}');
      const params = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const queryParams = op.query ? queryParameters(op.query) : [];
      paths[path] ??= {};
      paths[path][op.method] = {
        summary: op.summary,
        tags: op.tags,
        security: op.auth === 'bearer' || op.auth === undefined ? [{ bearer: [] }] : [],
        parameters: [...params, ...queryParams],
        requestBody: op.body ? { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } : undefined,
        responses: Object.fromEntries(
          Object.entries({ ...op.responses, 400: op.responses[400] ?? { description: 'invalid request', schema: ErrorBody } }).map(
            ([status, r]) => [
              status,
              {
                description: r.description,
                content: r.schema ? { 'application/json': { schema: jsonSchema(r.schema, 'output') } } : undefined,
              },
            ],
          ),
        ),
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'jobrelay API', version: '0.1.0', description: 'Recruiting-integration orchestrator on Temporal.' },
      servers: [{ url: serverUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
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
