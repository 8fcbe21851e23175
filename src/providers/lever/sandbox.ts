import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { applyMergePatch } from '../sandbox-patch';
import { seededRandom } from '../seeded-random';
import { ARCHIVE_REASONS, generate, type SandboxOpportunity, type SandboxPosting, type SeedOptions, STAGES, USERS } from './sandbox-data';

// A fake Lever v1 API written from shared/providers/lever-smartrecruiters.md (part 1), never from our client:
// Basic auth with the key as username (401 without it), `{data, hasNext, next}` with opaque offset tokens (400
// `Invalid offset token` for one that does not fit the query), `limit` 1–100, ms timestamps, inclusive
// updated_at_*/created_at_* filters, `expand`, `include=content`, confidentiality (non-confidential unless `all`),
// resumes with downloadable files, a token bucket per key (10/s, bursts of 20) answering 429, `{code, message}`
// errors, and fault injection. What the documentation leaves open is chosen here, on the sandbox's side only:
// list order (oldest createdAt, then id), no Retry-After on 429 unless asked, 403 for a confidential read by a key
// without confidential access. Mounted under `/lever`: the client's base URL is `<sandbox>/lever/v1`.

export const SANDBOX_API_KEY = 'lever-sandbox-key';

export interface KeyGrant {
  /** Permission labels as Lever's key form names them; unset = all. */
  permissions?: string[];
  /** "Allow access to confidential data" (fixed when a key is created). */
  confidential?: boolean;
}

export interface Faults {
  /** Share (0–1) of requests answered 500/502/503. */
  errorRate: number;
  /** Share of requests answered 429, on top of the token bucket. */
  throttleRate: number;
  /** Added to every answer. */
  latencyMs: number;
  /** Share of requests whose connection is dropped without an answer. */
  dropRate: number;
  /** The next this many requests carrying an offset token are refused as Lever refuses a token that no longer fits. */
  refuseOffsets?: number;
}

export interface LeverSandboxOptions {
  /** The key bucket; Lever documents 10/s with bursts of 20. `false` turns limiting off. */
  rateLimit?: { perSecond: number; burst: number } | false;
  /** Send `Retry-After` on 429 (Lever's own header is unconfirmed; off by default). */
  retryAfterSeconds?: number;
  site?: string;
  faultSeed?: number;
  /** The clock the rate limit runs on, in ms (default: the process's monotonic clock); a test may hold it still. */
  rateClock?: () => number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  status: number;
  at: number;
}

const ROUTE_PERMISSIONS: Array<[RegExp, string]> = [
  [/^\/v1\/postings$/, 'list postings'],
  [/^\/v1\/postings\/[^/]+$/, 'read posting'],
  [/^\/v1\/opportunities$/, 'list opportunities'],
  [/^\/v1\/opportunities\/[^/]+$/, 'read opportunity'],
  [/^\/v1\/opportunities\/[^/]+\/applications$/, 'list opportunity applications'],
  [/^\/v1\/opportunities\/[^/]+\/applications\/[^/]+$/, 'read opportunity application'],
  [/^\/v1\/opportunities\/[^/]+\/resumes$/, 'list opportunity resumes'],
  [/^\/v1\/opportunities\/[^/]+\/resumes\/[^/]+$/, 'read opportunity resume'],
  [/^\/v1\/opportunities\/[^/]+\/resumes\/[^/]+\/download$/, 'download opportunity resume'],
  [/^\/v1\/stages(\/[^/]+)?$/, 'list stages'],
  [/^\/v1\/archive_reasons(\/[^/]+)?$/, 'list archive reasons'],
  [/^\/v1\/users(\/[^/]+)?$/, 'list users'],
];

export class LeverSandbox {
  readonly app: Express;
  readonly postings = new Map<string, SandboxPosting>();
  readonly opportunities = new CountingMap<string, SandboxOpportunity>();
  private sorted?: { version: number; items: SandboxOpportunity[] };
  readonly requests: LoggedRequest[] = [];
  faults: Faults = { errorRate: 0, throttleRate: 0, latencyMs: 0, dropRate: 0 };
  private readonly keys = new Map<string, KeyGrant & { bucket?: KeyBucket }>();
  private readonly random: () => number;
  private seedCount = 0;

  constructor(private readonly options: LeverSandboxOptions = {}) {
    this.random = seededRandom(options.faultSeed ?? 7);
    this.addKey(SANDBOX_API_KEY, { confidential: true });
    this.app = this.buildApp();
  }

  /** Adds generated postings and opportunities (ids and data depend on the seed only). */
  seed(options: SeedOptions): { postings: SandboxPosting[]; opportunities: SandboxOpportunity[] } {
    const generated = generate({ ...options, seed: options.seed ?? 1000 + this.seedCount++ });
    for (const p of generated.postings) this.postings.set(p.id, p);
    // A seeded opportunity applies to a published posting of this seed or, failing that, of an earlier one.
    for (const o of generated.opportunities) this.opportunities.set(o.id, o);
    return generated;
  }

  addKey(key: string, grant: KeyGrant = {}): void {
    const { rateLimit = { perSecond: 10, burst: 20 } } = this.options;
    this.keys.set(key, { ...grant, bucket: rateLimit ? new KeyBucket(rateLimit, this.options.rateClock) : undefined });
  }

  /** The key stops working (401), as when a Super Admin deletes it in Lever. */
  revokeKey(key: string): void {
    this.keys.delete(key);
  }

  /** Edits a posting as a recruiter would in Lever; `updatedAt` moves to now. */
  updatePosting(id: string, patch: Partial<SandboxPosting>): SandboxPosting {
    const posting = this.mustGet(this.postings, id);
    Object.assign(posting, patch, { updatedAt: this.bump(posting.updatedAt) });
    return posting;
  }

  updateOpportunity(id: string, patch: Partial<SandboxOpportunity>): SandboxOpportunity {
    const opportunity = this.mustGet(this.opportunities, id);
    Object.assign(opportunity, patch, { updatedAt: this.bump(opportunity.updatedAt) });
    return opportunity;
  }

  /** Requests that reached the API (faults included), optionally only those since an index. */
  requestsSince(index = 0, path?: RegExp): LoggedRequest[] {
    return this.requests.slice(index).filter((r) => !path || path.test(r.path));
  }

  private bump(previous: number): number {
    return Math.max(Date.now(), previous + 1);
  }

  private mustGet<T>(map: Map<string, T>, id: string): T {
    const value = map.get(id);
    if (!value) throw new Error(`no such record ${id}`);
    return value;
  }

  private buildApp(): Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('query parser', 'extended');
    app.use(express.json());
    this.controlRoutes(app);
    app.use('/v0', this.publicPostings());
    app.use('/v1', (req, res, next) => this.gate(req, res, next));
    this.apiRoutes(app);
    app.use((_req, res) => error(res, 404, 'NotFoundError', 'Resource not found'));
    return app;
  }

  /** Logging, faults, auth, rate limit and permissions, in the order a real gateway would apply them. */
  private async gate(req: Request, res: Response, next: NextFunction) {
    const path = `/v1${req.path}`;
    const logged: LoggedRequest = { method: req.method, path, query: { ...req.query }, status: 0, at: Date.now() };
    this.requests.push(logged);
    res.on('finish', () => {
      logged.status = res.statusCode;
    });
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.random() < this.faults.dropRate) {
      logged.status = -1;
      req.socket.destroy();
      return;
    }
    const key = basicUser(req.headers.authorization);
    if (!key) return error(res, 401, 'UnauthorizedError', 'Missing API credentials: use HTTP Basic auth with the API key as the username');
    const grant = this.keys.get(key);
    if (!grant) return error(res, 401, 'UnauthorizedError', 'Invalid API key');
    if ((grant.bucket && !grant.bucket.tryTake()) || this.random() < this.faults.throttleRate) {
      if (this.options.retryAfterSeconds !== undefined) res.set('Retry-After', String(this.options.retryAfterSeconds));
      return error(res, 429, 'TooManyRequestsError', 'Rate limit exceeded: 10 requests per second per API key');
    }
    if (this.random() < this.faults.errorRate) {
      const status = [500, 502, 503][Math.floor(this.random() * 3)];
      return error(res, status, 'InternalServerError', 'Something went wrong');
    }
    const needed = ROUTE_PERMISSIONS.find(([re]) => re.test(path))?.[1];
    if (needed && grant.permissions && !grant.permissions.includes(needed)) {
      return error(res, 403, 'ForbiddenError', `API key lacks the permission "${needed}"`);
    }
    const confidentiality = String(req.query.confidentiality ?? 'non-confidential');
    if (confidentiality !== 'non-confidential' && !grant.confidential) {
      return error(res, 403, 'ForbiddenError', 'API key does not have access to confidential data');
    }
    next();
  }

  private apiRoutes(app: Express) {
    app.get('/v1/postings', (req, res) => {
      const q = req.query;
      const states = list(q.state);
      const channels = list(q.distributionChannel);
      let items = [...this.postings.values()].filter(
        (p) =>
          visible(p.confidentiality, q.confidentiality) &&
          (!states.length || states.includes(p.state)) &&
          (!channels.length || p.distributionChannels.some((c) => channels.includes(c))) &&
          matchesAny(list(q.team), p.categories.team) &&
          matchesAny(list(q.department), p.categories.department) &&
          matchesAny(list(q.location), p.categories.location) &&
          inRange(p.updatedAt, q.updated_at_start, q.updated_at_end) &&
          inRange(p.createdAt, q.created_at_start, q.created_at_end),
      );
      items = items.sort(byCreated);
      const withContent = list(q.include).includes('content');
      const expand = list(q.expand);
      this.paginate(req, res, items, (p) => {
        const { content, ...rest } = p;
        return {
          ...rest,
          requisitionCodes: [p.reqCode],
          ...(withContent ? { content } : {}),
          owner: expand.includes('owner') ? USERS.find((u) => u.id === p.owner) : p.owner,
          hiringManager: expand.includes('hiringManager') ? USERS.find((u) => u.id === p.hiringManager) : p.hiringManager,
          urls: this.urls(p.id),
        };
      });
    });

    app.get('/v1/postings/:id', (req, res) => {
      const p = this.postings.get(req.params.id);
      if (!p || !visible(p.confidentiality, req.query.confidentiality)) return error(res, 404, 'NotFoundError', 'Posting not found');
      res.json({ data: { ...p, requisitionCodes: [p.reqCode], urls: this.urls(p.id) } });
    });

    app.get('/v1/opportunities', (req, res) => {
      const q = req.query;
      const archived = q.archived === undefined ? undefined : q.archived === 'true';
      const [emails, contacts, postingIds, tags] = [list(q.email), list(q.contact_id), list(q.posting_id), list(q.tag)];
      const listed = (o: SandboxOpportunity) =>
        visible(o.confidentiality, q.confidentiality) &&
        inRange(o.updatedAt, q.updated_at_start, q.updated_at_end) &&
        inRange(o.createdAt, q.created_at_start, q.created_at_end) &&
        (archived === undefined || archived === Boolean(o.archived)) &&
        matchesAny(emails, o.emails[0]) &&
        matchesAny(contacts, o.contact) &&
        (!postingIds.length || o.applications.some((a) => postingIds.includes(a.posting ?? ''))) &&
        (!tags.length || o.tags.some((t) => tags.includes(t)));
      const expand = list(q.expand);
      this.paginate(req, res, this.opportunitiesByCreated(), (o) => this.opportunity(o, expand), listed);
    });

    app.get('/v1/opportunities/:id', (req, res) => {
      const o = this.opportunities.get(req.params.id);
      if (!o || !visible(o.confidentiality, 'all')) return error(res, 404, 'NotFoundError', 'Opportunity not found');
      res.json({ data: this.opportunity(o, list(req.query.expand)) });
    });

    app.get('/v1/opportunities/:id/applications', (req, res) => {
      const o = this.opportunities.get(req.params.id);
      if (!o) return error(res, 404, 'NotFoundError', 'Opportunity not found');
      this.paginate(req, res, o.applications, (a) => a);
    });

    app.get('/v1/opportunities/:id/resumes', (req, res) => {
      const o = this.opportunities.get(req.params.id);
      if (!o) return error(res, 404, 'NotFoundError', 'Opportunity not found');
      const base = `${req.protocol}://${req.get('host')}${req.baseUrl}/v1/opportunities/${o.id}/resumes`;
      this.paginate(req, res, o.resumes, (r) => {
        const { bytes: _bytes, contentType: _type, ...file } = r.file;
        return { id: r.id, createdAt: r.createdAt, file: { ...file, downloadUrl: `${base}/${r.id}/download` }, parsedData: r.parsedData };
      });
    });

    app.get('/v1/opportunities/:id/resumes/:resume/download', (req, res) => {
      const resume = this.opportunities.get(req.params.id)?.resumes.find((r) => r.id === req.params.resume);
      if (!resume) return error(res, 404, 'NotFoundError', 'Resume not found');
      res.type(resume.file.contentType).set('Content-Disposition', `attachment; filename="${resume.file.name}"`).send(resume.file.bytes);
    });

    app.get('/v1/stages', (req, res) => this.paginate(req, res, STAGES, (s) => s));
    app.get('/v1/archive_reasons', (req, res) => this.paginate(req, res, ARCHIVE_REASONS, (r) => r));
    app.get('/v1/users', (req, res) => this.paginate(req, res, USERS, (u) => u));
  }

  /** Every opportunity, oldest first: sorted again only after the map changed (a sort a request was most of a page's time at 50,000). */
  private opportunitiesByCreated(): SandboxOpportunity[] {
    if (this.sorted?.version !== this.opportunities.version)
      this.sorted = { version: this.opportunities.version, items: [...this.opportunities.values()].sort(byCreated) };
    return this.sorted.items;
  }

  /**
   * `{data, hasNext, next}` with an opaque offset token bound to the query it came from: the `listed` items (all by
   * default) after the token's position, looked at only until the page is full.
   */
  private paginate<T extends { id: string }>(
    req: Request,
    res: Response,
    items: T[],
    render: (item: T) => unknown,
    listed: (item: T) => boolean = () => true,
  ) {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return error(res, 400, 'BadRequestError', 'limit must be an integer from 1 to 100');
    const { offset, limit: _l, ...rest } = req.query;
    const signature = JSON.stringify(Object.entries(rest).sort());
    let start = 0;
    if (offset !== undefined) {
      if (this.faults.refuseOffsets) {
        this.faults.refuseOffsets -= 1;
        return error(res, 400, 'BadRequestError', 'Invalid offset token: Offset token is invalid for sort');
      }
      const decoded = decodeOffset(String(offset));
      if (!decoded || decoded.q !== hash(signature))
        return error(res, 400, 'BadRequestError', 'Invalid offset token: Offset token is invalid for sort');
      const index = items.findIndex((i) => compareKey(i, decoded.k) > 0);
      start = index === -1 ? items.length : index;
    }
    const page: T[] = [];
    let i = start;
    for (; i < items.length && page.length < limit; i++) if (listed(items[i])) page.push(items[i]);
    let hasNext = false;
    for (; i < items.length && !hasNext; i++) hasNext = listed(items[i]);
    const last = page[page.length - 1] as (T & { createdAt?: number }) | undefined;
    res.json({
      data: page.map(render),
      hasNext,
      ...(hasNext && last ? { next: encodeOffset({ k: [last.createdAt ?? 0, last.id], q: hash(signature) }) } : {}),
    });
  }

  private opportunity(o: SandboxOpportunity, expand: string[]) {
    const { resumes: _resumes, ...rest } = o;
    return {
      ...rest,
      stage: expand.includes('stage') ? STAGES.find((s) => s.id === o.stage) : o.stage,
      applications: expand.includes('applications') ? o.applications : o.applications.map((a) => a.id),
      owner: expand.includes('owner') ? USERS.find((u) => u.id === o.owner) : o.owner,
      urls: { list: 'https://hire.lever.co/candidates', show: `https://hire.lever.co/candidates/${o.id}` },
    };
  }

  private urls(id: string) {
    const site = this.options.site ?? 'acme';
    return {
      list: `https://jobs.lever.co/${site}`,
      show: `https://jobs.lever.co/${site}/${id}`,
      apply: `https://jobs.lever.co/${site}/${id}/apply`,
    };
  }

  /** The v0 Postings API: a bare array of published postings, `skip`/`limit`, v0 field names. */
  private publicPostings() {
    const router = express.Router();
    router.get('/postings/:site', (req, res) => {
      if (req.params.site !== (this.options.site ?? 'acme')) return res.status(404).json({ ok: false, error: 'Document not found' });
      const skip = Number(req.query.skip ?? 0);
      const limit = req.query.limit === undefined ? undefined : Number(req.query.limit);
      const published = [...this.postings.values()]
        .filter((p) => p.state === 'published' && p.confidentiality === 'non-confidential')
        .sort(byCreated);
      res.json(
        published.slice(skip, limit === undefined ? undefined : skip + limit).map((p) => ({
          id: p.id,
          text: p.text,
          categories: p.categories,
          country: p.country,
          description: p.content.descriptionHtml,
          descriptionPlain: p.content.description,
          lists: p.content.lists,
          additional: p.content.closingHtml,
          hostedUrl: this.urls(p.id).show,
          applyUrl: this.urls(p.id).apply,
          workplaceType: p.workplaceType,
          salaryRange: p.salaryRange,
          createdAt: p.createdAt,
        })),
      );
    });
    return router;
  }

  /** Test and demo controls (not part of Lever): seed, edits as a recruiter makes them, faults, keys, request log. */
  private controlRoutes(app: Express) {
    app.post('/_sandbox/seed', (req, res) => {
      const { postings, opportunities } = this.seed(req.body ?? {});
      res.json({ postings: postings.length, opportunities: opportunities.length });
    });
    // A JSON merge patch (`null` removes a field); `updatedAt` moves to now, so the next incremental read sees the edit.
    app.patch('/_sandbox/postings/:id', (req, res) => {
      const p = this.postings.get(req.params.id);
      if (!p) return error(res, 404, 'NotFoundError', 'Posting not found');
      if (!applyMergePatch(p, req.body)) return error(res, 400, 'BadRequestError', 'The body must be a JSON object (a merge patch)');
      res.json(this.updatePosting(p.id, {}));
    });
    app.patch('/_sandbox/opportunities/:id', (req, res) => {
      const o = this.opportunities.get(req.params.id);
      if (!o) return error(res, 404, 'NotFoundError', 'Opportunity not found');
      if (!applyMergePatch(o, req.body)) return error(res, 400, 'BadRequestError', 'The body must be a JSON object (a merge patch)');
      const { resumes: _resumes, ...edited } = this.updateOpportunity(o.id, {});
      res.json(edited);
    });
    app.put('/_sandbox/faults', (req, res) => {
      this.faults = { ...this.faults, ...(req.body ?? {}) };
      res.json(this.faults);
    });
    app.post('/_sandbox/keys', (req, res) => {
      this.addKey(String(req.body?.key), req.body ?? {});
      res.status(204).end();
    });
    app.delete('/_sandbox/keys/:key', (req, res) => {
      this.revokeKey(req.params.key);
      res.status(204).end();
    });
    app.get('/_sandbox/stats', (_req, res) => {
      res.json({ postings: this.postings.size, opportunities: this.opportunities.size, requests: this.requests.length });
    });
  }
}

/** Lever's limit per key, as the server side enforces it: refills continuously, a request takes one token or is refused. */
class KeyBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly limit: { perSecond: number; burst: number },
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burst;
    this.at = clock();
  }

  tryTake(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.at) / 1000) * this.limit.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The sandbox behind an app made by `createLeverSandbox` (tests reach the state through the mounted app). */
export function leverSandboxOf(app: Express): LeverSandbox {
  const sandbox = app.locals.lever as LeverSandbox | undefined;
  if (!sandbox) throw new Error('not a Lever sandbox app');
  return sandbox;
}

export function createLeverSandbox(options?: LeverSandboxOptions): Express {
  const sandbox = new LeverSandbox(options);
  sandbox.app.locals.lever = sandbox;
  return sandbox.app;
}

function error(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ code, message });
}

function basicUser(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user || undefined;
}

/** A map that counts its changes (set, delete, clear), so what is derived from it knows when to derive again. */
class CountingMap<K, V> extends Map<K, V> {
  version = 0;
  override set(key: K, value: V): this {
    this.version += 1;
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    this.version += 1;
    return super.delete(key);
  }
  override clear(): void {
    this.version += 1;
    super.clear();
  }
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function matchesAny(wanted: string[], value: string | undefined | null): boolean {
  return wanted.length === 0 || (value !== undefined && value !== null && wanted.includes(value));
}

function visible(confidentiality: string, requested: unknown): boolean {
  const r = String(requested ?? 'non-confidential');
  return r === 'all' || r === confidentiality;
}

function inRange(value: number, start: unknown, end: unknown): boolean {
  return (start === undefined || value >= Number(start)) && (end === undefined || value <= Number(end));
}

function byCreated(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function compareKey(item: { id: string; createdAt?: number }, key: [number, string]): number {
  return (item.createdAt ?? 0) - key[0] || (item.id < key[1] ? -1 : item.id > key[1] ? 1 : 0);
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

function encodeOffset(value: { k: [number, string]; q: string }): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeOffset(token: string): { k: [number, string]; q: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return Array.isArray(v?.k) && typeof v.q === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
