import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { setUpCvLibrary } from '../fixtures/cv-library';
import { aDelivery, postLiveJob } from '../fixtures/direct-apply';
import { arbitraryFor, hostile, type Schema } from '../helpers/schema-arbitrary';
import { describeEachStore } from '../helpers/stores';
import { startTestSystem, TEST_TOKEN, type TestSystem } from '../helpers/system';

// Property-based fuzzing over every operation of /openapi.json, against the whole system (API, worker, store,
// sandboxes): generated requests, mostly valid with hostile values mixed in at every field, must never get a 5xx,
// and every answer must be one the document lists for the operation, with a body that matches its schema.
// Bounded: RUNS_PER_OPERATION requests per operation, and the whole run stops at TIME_LIMIT_MS.

const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 60);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 150_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
/** An answer slower than this is a finding too (a request that waits on a retrying workflow). */
const ANSWER_WITHIN_MS = 20_000;

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: 'path' | 'query'; required: boolean; schema: Schema }>;
  body?: Schema;
  responses: Record<string, { content?: { 'application/json'?: { schema: Schema } } }>;
  bearer: boolean;
}

interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  auth: 'admin' | 'read' | 'none' | 'bogus';
}

describeEachStore('every operation of /openapi.json under generated requests', (store) => {
  let t: TestSystem;
  let readToken: string;
  /** Values seen in answers (ids, emails), offered for path and query parameters of the same name. */
  const seen = new Map<string, Set<string>>();
  const remember = (name: string, value: unknown) => {
    if (typeof value !== 'string' || value.length > 200) return;
    if (!seen.has(name)) seen.set(name, new Set());
    seen.get(name)!.add(value);
  };

  beforeAll(async () => {
    t = await startTestSystem({ JOBRELAY_RATE_LIMIT_PER_SECOND: '100000', JOBRELAY_RATE_LIMIT_BURST: '100000' }, { store });
    // Something real to find: a board, a live posting with its DirectApply URL, an application, a read token.
    await setUpCvLibrary(t);
    const posting = await postLiveJob(t);
    const url = new URL(posting.directApplyUrl);
    remember('posting', url.searchParams.get('posting'));
    remember('token', url.searchParams.get('token'));
    const delivered = await fetch(posting.directApplyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(aDelivery()),
    });
    expect(delivered.status).toBe(200);
    readToken = (await t.api('POST', '/v1/tokens', { name: 'fuzz reader', scope: 'read' })).body.token;
    for (const [name, values] of [
      ['id', [posting.id, posting.jobId]],
      ['provider', ['cv-library', 'lever']],
      ['recruiterEmail', ['priya.shah@example.com']],
    ] as const)
      for (const v of values) remember(name, v);
  }, 120_000);
  afterAll(() => t?.stop());

  it('answers no 5xx and only documented answers matching their schemas', async () => {
    const doc = (await t.api('GET', '/openapi.json')).body;
    const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    const operations = operationsOf(doc);
    const started = Date.now();
    const statuses: Record<string, number> = {};
    const problems: string[] = [];
    let requests = 0;

    for (const op of operations) {
      if (Date.now() - started > TIME_LIMIT_MS) break;
      const samples = fc.sample(requestFor(op, seen), { numRuns: RUNS_PER_OPERATION, seed: SEED + requests });
      for (const request of samples) {
        if (Date.now() - started > TIME_LIMIT_MS) break;
        // This machine has no network: a board set up without a base URL (its production API) could never be checked
        // on save (a 502, the board unreachable). The local sandbox stands in for it.
        const board = /^\/v1\/boards\/([^/]+)$/.exec(request.path)?.[1];
        if (board && isObject(request.body) && request.body.baseUrl === undefined) request.body.baseUrl = t.sandboxes.urlFor(board);
        const res = await send(t, request, readToken).catch((err: Error) => ({ status: 0, body: err.message, json: false }));
        requests++;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const problem = check(ajv, op, res);
        if (problem) problems.push(`${op.method.toUpperCase()} ${request.path} → ${res.status}: ${problem}\n    sent ${show(request)}`);
        harvest(res.body, remember);
      }
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const fivexx = Object.entries(statuses).filter(([s]) => Number(s) >= 500);
    process.stdout.write(
      `openapi fuzz: ${operations.length} operations, ${requests} requests in ${seconds} s, statuses ${JSON.stringify(statuses)}, ` +
        `${fivexx.length ? fivexx.map(([s, n]) => `${n}×${s}`).join(' ') : '0'} 5xx, ${problems.length} mismatches\n`,
    );
    expect(operations.length).toBeGreaterThan(30);
    expect(requests).toBeGreaterThan(operations.length * 10);
    expect(problems.slice(0, 15)).toEqual([]);
  }, 300_000);
});

/** Every operation of the document, with what the fuzzer needs of it. */
function operationsOf(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(doc.paths))
    for (const [method, op] of Object.entries<any>(methods))
      ops.push({
        method,
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
        responses: op.responses,
        bearer: (op.security ?? []).length > 0,
      });
  return ops;
}

/** A request for the operation: parameters from the document or from what answers showed, a body from its schema. */
function requestFor(op: Operation, seen: Map<string, Set<string>>): fc.Arbitrary<Request> {
  const known = (name: string) => [...(seen.get(name) ?? [])];
  const param = (p: Operation['parameters'][number]) => {
    // Within what a URL carries (Node answers 431 above 16 KiB of headers, before any route): huge values go in bodies.
    const fromSchema = arbitraryFor(p.schema)
      .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
      .filter((v) => v !== undefined && v.length <= 1000);
    const values = known(p.name);
    return values.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, fromSchema) : fromSchema;
  };
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  return fc.record({
    method: fc.constant(op.method.toUpperCase()),
    path: fc
      .tuple(...pathParams.map(param))
      .map((values) => pathParams.reduce((path, p, i) => path.replace(`{${p.name}}`, pathSegment(values[i] as string)), op.path)),
    query: fc.record(Object.fromEntries(queryParams.map((p) => [p.name, param(p)])), {
      requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
    }) as fc.Arbitrary<Record<string, string>>,
    body: op.body ? fc.oneof({ weight: 9, arbitrary: arbitraryFor(op.body) }, hostile) : fc.constant(undefined),
    auth: op.bearer
      ? fc.constantFrom<Request['auth']>('admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'read', 'none', 'bogus')
      : fc.constant<Request['auth']>('none'),
  });
}

async function send(t: TestSystem, request: Request, readToken: string) {
  const url = new URL(`${t.system.apiUrl}${request.path}`);
  for (const [k, v] of Object.entries(request.query)) if (v !== undefined) url.searchParams.set(k, v);
  const token = { admin: TEST_TOKEN, read: readToken, none: undefined, bogus: 'jr_not-a-token' }[request.auth];
  const res = await fetch(url, {
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    method: request.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await res.text();
  let body: unknown = text;
  const json = (res.headers.get('content-type') ?? '').includes('application/json');
  if (json) body = text ? JSON.parse(text) : undefined;
  return { status: res.status, body, json };
}

/** What is wrong with the answer, if anything. */
function check(ajv: Ajv2020, op: Operation, res: { status: number; body: unknown; json: boolean }): string | undefined {
  if (res.status === 0) return `no answer within ${ANSWER_WITHIN_MS} ms (${res.body})`;
  if (res.status >= 500) return `a ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`;
  const documented = op.responses[String(res.status)];
  if (!documented)
    return `status not documented (documented: ${Object.keys(op.responses).join(', ')}); body ${JSON.stringify(res.body).slice(0, 200)}`;
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) return undefined;
  if (!res.json) return 'documented as JSON, answered otherwise';
  const validate = ajv.compile(schema as object);
  if (validate(res.body)) return undefined;
  return `body does not match the document: ${ajv.errorsText(validate.errors)}; body ${JSON.stringify(res.body).slice(0, 300)}`;
}

/** Ids, emails and the like from an answer, to reuse as parameters. */
function harvest(body: unknown, remember: (name: string, value: unknown) => void, depth = 0): void {
  if (!body || typeof body !== 'object' || depth > 4) return;
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string' && /(^id$|Id$|email|provider)/.test(k)) remember(k === 'id' || k.endsWith('Id') ? 'id' : k, v);
    if (k === 'applicationId') remember('applicationId', v);
    if (typeof v === 'object') harvest(v, remember, depth + 1);
  }
}

function show(request: Request): string {
  return JSON.stringify({ query: request.query, body: request.body, auth: request.auth }).slice(0, 400);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A path parameter as a URL carries it: a lone surrogate (which no URL can hold) becomes U+FFFD, as a client would send it. */
function pathSegment(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}
