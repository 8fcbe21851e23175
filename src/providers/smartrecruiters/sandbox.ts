import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { applyMergePatch } from '../sandbox-patch';
import { seededRandom } from '../seeded-random';
import { generate, type SandboxCandidate, type SandboxPosting, type SeedOptions } from './sandbox-data';
import { docxOf, pdfOf } from './sandbox-files';
import { opaqueToken, queryHash, readToken } from './sandbox-tokens';

// A fake SmartRecruiters API written from ../shared/providers/lever-smartrecruiters.md (part 2), not from the
// client: the public Posting API (`{offset, limit, totalFound, content}`, limit ≤ 100, default 10; details with the
// job ad's sections), and the Candidates API behind `X-SmartToken` (`pageId`/`nextPageId` and `Link: rel="next"`,
// details, attachments with downloads). Limits as documented: 10 requests/s per endpoint, 8 at once, and GET
// /candidates one at a time per key; a request over either gets 429 and is counted as a violation. Every answer
// carries `X-RateLimit-*`. Timestamps are ISO 8601 with milliseconds and Z. Faults can be injected. Mounted under
// `/smartrecruiters`: the client's base URL is `<sandbox>/smartrecruiters`.

export const SANDBOX_API_KEY = 'smartrecruiters-sandbox-key';
export const SANDBOX_COMPANY = 'AcmeCorp';

export interface Faults {
  /** Share (0–1) of requests answered 500/502/503. */
  errorRate: number;
  /** Share answered 429 on top of the limits (not counted as violations: the sandbox chose them). */
  throttleRate: number;
  latencyMs: number;
  /** Share whose connection is dropped without an answer. */
  dropRate: number;
}

export interface SmartRecruitersSandboxOptions {
  /** Per endpoint and caller; SmartRecruiters documents 10/s. `false` turns rate limiting off (concurrency stays). */
  rateLimit?: { perSecond: number; burst: number } | false;
  company?: string;
  faultSeed?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  endpoint: string;
  query: Record<string, unknown>;
  status: number;
  at: number;
}

/** Endpoints as the limits count them, and each one's concurrency (documented: 8, and 1 for GET /candidates). */
const ENDPOINTS: Array<[RegExp, string, number]> = [
  [/^\/v1\/companies\/[^/]+\/postings$/, 'GET /v1/companies/{id}/postings', 8],
  [/^\/v1\/companies\/[^/]+\/postings\/[^/]+$/, 'GET /v1/companies/{id}/postings/{postingId}', 8],
  [/^\/candidates$/, 'GET /candidates', 1],
  [/^\/candidates\/[^/]+$/, 'GET /candidates/{id}', 8],
  [/^\/candidates\/[^/]+\/attachments$/, 'GET /candidates/{id}/attachments', 8],
  [/^\/candidates\/[^/]+\/attachments\/[^/]+$/, 'GET /candidates/{id}/attachments/{attachmentId}', 8],
];

export class SmartRecruitersSandbox {
  readonly app: Express;
  readonly postings = new Map<string, SandboxPosting>();
  readonly candidates = new Map<string, SandboxCandidate>();
  readonly requests: LoggedRequest[] = [];
  faults: Faults = { errorRate: 0, throttleRate: 0, latencyMs: 0, dropRate: 0 };
  /** 429s for going over a documented limit, by endpoint and kind. */
  readonly violations = { rate: 0, concurrency: 0, byEndpoint: {} as Record<string, { rate: number; concurrency: number }> };
  private readonly keys = new Set<string>([SANDBOX_API_KEY]);
  private readonly buckets = new Map<string, EndpointBucket>();
  private readonly inFlight = new Map<string, number>();
  private readonly random: () => number;
  private seedCount = 0;

  constructor(private readonly options: SmartRecruitersSandboxOptions = {}) {
    this.random = seededRandom(options.faultSeed ?? 11);
    this.app = this.buildApp();
  }

  get company(): string {
    return this.options.company ?? SANDBOX_COMPANY;
  }

  /** Adds generated postings and candidates (their data depends on the seed only, their times on now). */
  seed(options: SeedOptions) {
    const generated = generate({ ...options, seed: options.seed ?? 2000 + this.seedCount++, company: this.company, now: Date.now() });
    for (const p of generated.postings) this.postings.set(p.id, p);
    for (const c of generated.candidates) this.candidates.set(c.id, c);
    return generated;
  }

  addKey(key: string): void {
    this.keys.add(key);
  }

  revokeKey(key: string): void {
    this.keys.delete(key);
  }

  /** Edits a candidate as a recruiter would; `updatedOn` moves to now, or to `backdatedTo` (a clock that lags). */
  updateCandidate(id: string, patch: Partial<SandboxCandidate>, backdatedTo?: number): SandboxCandidate {
    const c = this.must(this.candidates, id);
    Object.assign(c, patch, { updatedOn: backdatedTo ?? Math.max(Date.now(), c.updatedOn + 1) });
    return c;
  }

  /** Edits a posting's job ad or fields (a new release when `release`). */
  updatePosting(id: string, patch: Partial<SandboxPosting>): SandboxPosting {
    return Object.assign(this.must(this.postings, id), patch);
  }

  /** Unpublished or deleted in SmartRecruiters: gone from the public list and its details. */
  removePosting(id: string): void {
    this.must(this.postings, id);
    this.postings.delete(id);
  }

  deleteCandidate(id: string): void {
    this.must(this.candidates, id);
    this.candidates.delete(id);
  }

  requestsSince(index = 0, endpoint?: string): LoggedRequest[] {
    return this.requests.slice(index).filter((r) => !endpoint || r.endpoint === endpoint);
  }

  private must<T>(map: Map<string, T>, id: string): T {
    const value = map.get(id);
    if (!value) throw new Error(`no such record ${id}`);
    return value;
  }

  private buildApp(): Express {
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    app.use(express.json());
    this.controlRoutes(app);
    app.use((req, res, next) => this.gate(req, res, next));
    this.postingRoutes(app);
    this.candidateRoutes(app);
    app.use((_req, res) => error(res, 404, 'Not found'));
    return app;
  }

  /** Logging, faults, auth, limits (rate and concurrency, with their headers), in the order a gateway applies them. */
  private async gate(req: Request, res: Response, next: NextFunction) {
    const found = ENDPOINTS.find(([re]) => re.test(req.path));
    const endpoint = found?.[1] ?? `${req.method} ${req.path}`;
    const logged: LoggedRequest = { method: req.method, path: req.path, endpoint, query: { ...req.query }, status: 0, at: Date.now() };
    this.requests.push(logged);
    res.on('finish', () => {
      logged.status = res.statusCode;
    });
    if (this.random() < this.faults.dropRate) {
      logged.status = -1;
      req.socket.destroy();
      return;
    }
    const candidatesApi = req.path.startsWith('/candidates');
    const key = req.get('x-smarttoken');
    if (candidatesApi && !key) return error(res, 401, 'Missing X-SmartToken header');
    if (candidatesApi && key && !this.keys.has(key)) return error(res, 401, 'Invalid API key');
    if (!found) return next();
    // The public Posting API has no key: its limits are counted per company.
    const caller = candidatesApi ? `key:${key}` : `company:${req.path.split('/')[3]}`;
    const slot = `${caller} ${endpoint}`;
    const concurrency = found[2];
    const running = this.inFlight.get(slot) ?? 0;
    const bucket = this.bucketFor(slot);
    res.set('X-RateLimit-Concurrent-Limit', String(concurrency));
    if (bucket) res.set('X-RateLimit-Limit', String(bucket.options.perSecond));
    if (running >= concurrency) {
      this.violation(endpoint, 'concurrency');
      res.set('X-RateLimit-Concurrent-Remaining', '0');
      return error(res, 429, `Too many concurrent requests: ${endpoint} allows ${concurrency} at a time`);
    }
    if (bucket && !bucket.tryTake()) {
      this.violation(endpoint, 'rate');
      res.set('X-RateLimit-Remaining', '0');
      return error(res, 429, `Rate limit exceeded: ${bucket.options.perSecond} requests per second on ${endpoint}`);
    }
    if (this.random() < this.faults.throttleRate) return error(res, 429, 'Too many requests');
    this.inFlight.set(slot, running + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight.set(slot, (this.inFlight.get(slot) ?? 1) - 1);
    };
    // Counted out when the answer is sent (or the connection is gone), as the gateway would.
    res.on('finish', release);
    res.on('close', release);
    res.set('X-RateLimit-Concurrent-Remaining', String(concurrency - running - 1));
    if (bucket) res.set('X-RateLimit-Remaining', String(Math.floor(bucket.available())));
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.random() < this.faults.errorRate) return error(res, [500, 502, 503][Math.floor(this.random() * 3)], 'Internal error');
    next();
  }

  private bucketFor(slot: string): EndpointBucket | undefined {
    const { rateLimit = { perSecond: 10, burst: 10 } } = this.options;
    if (!rateLimit) return undefined;
    let bucket = this.buckets.get(slot);
    if (!bucket) {
      bucket = new EndpointBucket(rateLimit);
      this.buckets.set(slot, bucket);
    }
    return bucket;
  }

  private violation(endpoint: string, kind: 'rate' | 'concurrency') {
    this.violations[kind] += 1;
    this.violations.byEndpoint[endpoint] ??= { rate: 0, concurrency: 0 };
    this.violations.byEndpoint[endpoint][kind] += 1;
  }

  private postingRoutes(app: Express) {
    const base = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;
    app.get('/v1/companies/:company/postings', (req, res) => {
      if (req.params.company !== this.company) return error(res, 404, `Company ${req.params.company} not found`);
      const limit = req.query.limit === undefined ? 10 : Number(req.query.limit);
      const offset = req.query.offset === undefined ? 0 : Number(req.query.offset);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(res, 400, 'limit must be between 1 and 100');
      if (!Number.isInteger(offset) || offset < 0) return error(res, 400, 'offset must be 0 or more');
      // Newest release first, then id: stable while nothing changes.
      const all = [...this.postings.values()].sort((a, b) => b.releasedDate.localeCompare(a.releasedDate) || a.id.localeCompare(b.id));
      res.json({
        offset,
        limit,
        totalFound: all.length,
        content: all.slice(offset, offset + limit).map((p) => this.listedPosting(p, base(req))),
      });
    });

    app.get('/v1/companies/:company/postings/:id', (req, res) => {
      const p = req.params.company === this.company ? this.postings.get(req.params.id) : undefined;
      if (!p) return error(res, 404, 'Posting not found');
      const slug = p.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      res.json({
        ...this.listedPosting(p, base(req)),
        applyUrl: `https://jobs.smartrecruiters.com/${this.company}/${p.id}-${slug}?oga=true`,
        postingUrl: `https://jobs.smartrecruiters.com/${this.company}/${p.id}-${slug}`,
        jobAd: { sections: p.sections },
      });
    });
  }

  private listedPosting(p: SandboxPosting, base: string) {
    const { sections: _sections, ...fields } = p;
    return {
      ...fields,
      jobAdId: `${p.uuid.slice(0, 8)}-ad`,
      defaultJobAd: true,
      company: { identifier: this.company, name: `${this.company} Inc` },
      ref: `${base}/v1/companies/${this.company}/postings/${p.id}`,
    };
  }

  private candidateRoutes(app: Express) {
    const base = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;
    app.get('/candidates', (req, res) => {
      const limit = req.query.limit === undefined ? 10 : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(res, 400, 'limit must be between 1 and 100');
      const after = req.query.updatedAfter === undefined ? undefined : Date.parse(String(req.query.updatedAfter));
      const before = req.query.updatedBefore === undefined ? undefined : Date.parse(String(req.query.updatedBefore));
      if (Number.isNaN(after) || Number.isNaN(before)) return error(res, 400, 'updatedAfter and updatedBefore must be ISO 8601 date-times');
      const filters = queryHash(JSON.stringify([after, before]));
      // Oldest update first, then id; the page id is a keyset bound to the filters, so pages hold while records change.
      let all = [...this.candidates.values()]
        .filter((c) => (after === undefined || c.updatedOn >= after) && (before === undefined || c.updatedOn <= before))
        .sort((a, b) => a.updatedOn - b.updatedOn || a.id.localeCompare(b.id));
      const totalFound = all.length;
      if (req.query.pageId !== undefined) {
        const key = readToken(String(req.query.pageId), isPageKey);
        if (!key || key.f !== filters) return error(res, 400, 'Invalid pageId');
        all = all.filter((c) => c.updatedOn > key.u || (c.updatedOn === key.u && c.id > key.id));
      }
      const page = all.slice(0, limit);
      const last = page.at(-1);
      const nextPageId = all.length > limit && last ? opaqueToken({ u: last.updatedOn, id: last.id, f: filters }) : undefined;
      if (nextPageId) {
        const next = new URL(`${base(req)}/candidates`);
        for (const [k, v] of Object.entries(req.query)) if (k !== 'pageId') next.searchParams.set(k, String(v));
        next.searchParams.set('pageId', nextPageId);
        res.set('Link', `<${next}>; rel="next"`);
      }
      res.json({ limit, totalFound, ...(nextPageId ? { nextPageId } : {}), content: page.map((c) => this.listedCandidate(c, base(req))) });
    });

    app.get('/candidates/:id', (req, res) => {
      const c = this.candidates.get(req.params.id);
      if (!c) return error(res, 404, 'Candidate not found');
      res.json({
        id: c.id,
        firstName: c.firstName,
        lastName: c.lastName,
        email: c.email,
        phoneNumber: c.phoneNumber,
        location: c.location,
        web: { skype: '', facebook: '', twitter: '', website: '', linkedin: '', ...c.web },
        createdOn: c.createdOn,
        updatedOn: new Date(c.updatedOn).toISOString(),
        tags: c.tags,
        education: c.education,
        experience: c.experience,
      });
    });

    app.get('/candidates/:id/attachments', (req, res) => {
      const c = this.candidates.get(req.params.id);
      if (!c) return error(res, 404, 'Candidate not found');
      res.json({
        totalFound: c.attachments.length,
        content: c.attachments.map((a) => ({
          id: a.id,
          name: a.name,
          type: a.type,
          contentType: a.contentType,
          actions: { download: { url: `${base(req)}/candidates/${c.id}/attachments/${a.id}`, method: 'GET' } },
        })),
      });
    });

    app.get('/candidates/:id/attachments/:attachment', (req, res) => {
      const a = this.candidates.get(req.params.id)?.attachments.find((x) => x.id === req.params.attachment);
      if (!a) return error(res, 404, 'Attachment not found');
      const bytes = a.format === 'pdf' ? pdfOf(a.lines) : a.format === 'docx' ? docxOf(a.lines) : Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
      res.type(a.contentType).set('Content-Disposition', `attachment; filename="${a.name}"`).send(bytes);
    });
  }

  private listedCandidate(c: SandboxCandidate, base: string) {
    return {
      id: c.id,
      internal: false,
      firstName: c.firstName,
      lastName: c.lastName,
      email: c.email,
      phoneNumber: c.phoneNumber,
      location: c.location,
      createdOn: c.createdOn,
      updatedOn: new Date(c.updatedOn).toISOString(),
      primaryAssignment: c.primaryAssignment,
      secondaryAssignments: c.secondaryAssignments,
      actions: { details: { url: `${base}/candidates/${c.id}`, method: 'GET' } },
    };
  }

  /** Test and demo controls (not part of SmartRecruiters): seed, faults, keys, edits, deletions, violations. */
  private controlRoutes(app: Express) {
    app.post('/_sandbox/seed', (req, res) => {
      const { postings, candidates } = this.seed(req.body ?? {});
      res.json({ postings: postings.length, candidates: candidates.length });
    });
    app.put('/_sandbox/faults', (req, res) => {
      this.faults = { ...this.faults, ...(req.body ?? {}) };
      res.json(this.faults);
    });
    app.post('/_sandbox/keys', (req, res) => {
      this.addKey(String(req.body?.key));
      res.status(204).end();
    });
    app.delete('/_sandbox/keys/:key', (req, res) => {
      this.revokeKey(req.params.key);
      res.status(204).end();
    });
    app.patch('/_sandbox/candidates/:id', (req, res) => {
      const { backdatedTo, ...patch } = req.body ?? {};
      if (!this.candidates.has(req.params.id)) return error(res, 404, 'Candidate not found');
      const c = this.updateCandidate(req.params.id, patch, backdatedTo === undefined ? undefined : Date.parse(backdatedTo));
      res.json({ id: c.id, updatedOn: new Date(c.updatedOn).toISOString() });
    });
    app.delete('/_sandbox/candidates/:id', (req, res) => {
      if (!this.candidates.delete(req.params.id)) return error(res, 404, 'Candidate not found');
      res.status(204).end();
    });
    // A job ad edited in SmartRecruiters: a JSON merge patch of the posting (`sections`, `location`, `name`, …).
    app.patch('/_sandbox/postings/:id', (req, res) => {
      const p = this.postings.get(req.params.id);
      if (!p) return error(res, 404, 'Posting not found');
      if (!applyMergePatch(p, req.body)) return error(res, 400, 'The body must be a JSON object (a merge patch)');
      res.json(p);
    });
    app.delete('/_sandbox/postings/:id', (req, res) => {
      if (!this.postings.delete(req.params.id)) return error(res, 404, 'Posting not found');
      res.status(204).end();
    });
    app.get('/_sandbox/stats', (_req, res) => {
      res.json({
        postings: this.postings.size,
        candidates: this.candidates.size,
        requests: this.requests.length,
        violations: this.violations,
      });
    });
  }
}

/** SmartRecruiters' limit per endpoint and caller, as the gateway enforces it: refills continuously, a request takes one token or is refused. */
class EndpointBucket {
  private tokens: number;
  private at = performance.now();

  constructor(readonly options: { perSecond: number; burst: number }) {
    this.tokens = options.burst;
  }

  available(): number {
    const now = performance.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.at) / 1000) * this.options.perSecond);
    this.at = now;
    return this.tokens;
  }

  tryTake(): boolean {
    if (this.available() < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The sandbox behind an app made by `createSmartRecruitersSandbox` (tests reach the state through the mounted app). */
export function smartRecruitersSandboxOf(app: Express): SmartRecruitersSandbox {
  const sandbox = app.locals.smartrecruiters as SmartRecruitersSandbox | undefined;
  if (!sandbox) throw new Error('not a SmartRecruiters sandbox app');
  return sandbox;
}

export function createSmartRecruitersSandbox(options?: SmartRecruitersSandboxOptions): Express {
  const sandbox = new SmartRecruitersSandbox(options);
  sandbox.app.locals.smartrecruiters = sandbox;
  return sandbox.app;
}

function error(res: Response, status: number, message: string) {
  res.status(status).json({ message, errors: [{ code: String(status), message }] });
}

interface PageKey {
  u: number;
  id: string;
  f: string;
}

const isPageKey = (v: unknown): v is PageKey => {
  const k = v as PageKey | undefined;
  return typeof k?.u === 'number' && typeof k.id === 'string' && typeof k.f === 'string';
};
