import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { seededRandom } from '../seeded-random';

// A fake eRecruiter.pl API, written from ../../../../shared/providers/erecruiter-inhire.md (never from our client):
// the partner access key (or a password-grant token) as bearer, `companyId` on every call but Account/Companies,
// offset/limit pages of at most 100 until an empty page, bare and wrapped collections, stages with their history,
// publication places, recruitments with the partner ticked or not (403 PartnerNotAllowed under a `selected` key),
// `[{message, errorCode, modelType}]` errors, 409 DuplicateApplication, and injected faults (500s, drops, latency).
// Mounted under `/erecruiter` (API at `/v1.1`) and `/erecruiter-auth` (the token endpoint) of the pair's sandbox.

export const SANDBOX_COMPANY_ID = 4321;
export const SANDBOX_ACCESS_KEY = 'erec-partner-key-0001';
export const SANDBOX_OAUTH = {
  clientId: 'jobrelay-client',
  clientSecret: 'jobrelay-secret',
  username: 'admin@demo.example',
  password: 'demo-password',
};
/** The publication place the demo's admin created for inhire. */
export const SANDBOX_INHIRE_ORIGIN = { id: 77, name: 'inhire.io' };

/** eRecruiter's default stages, in pipeline order (assumed: ours to define, see the provider doc). */
export const DEFAULT_STAGES = ['Nowy', 'Analiza CV', 'Rozmowa telefoniczna', 'Rozmowa', 'Złożenie oferty', 'Zatrudniony', 'Odrzucony'];

export interface SandboxStage {
  id: number;
  name: string;
  isDefault: boolean;
}

export interface SandboxCompany {
  id: number;
  name: string;
  /** The defaults, then the company's own stages. */
  stages: SandboxStage[];
  /** Publication places ("Miejsca publikacji ogłoszeń"). */
  origins: Array<{ id: number; name: string }>;
}

export interface SandboxRecruitment {
  id: number;
  companyId: number;
  name: string;
  status: 'Open' | 'Closed';
  partnerEnabled: boolean;
}

export interface SandboxApplication {
  id: number;
  recruitmentId: number;
  candidateId: number;
  externalId?: string;
  originId: number;
  createdAt: string;
  stageId: number;
  history: Array<{ stageId: number; changedAt: string }>;
  contact: { firstName: string; lastName: string; email?: string; phone?: string };
  cv?: { fileName: string; contentType: string; bytes: Buffer };
}

export interface ErecruiterFaults {
  /** Share (0–1) of API requests answered 500 InternalError. */
  errorRate: number;
  /** Share of API requests whose connection is dropped. */
  dropRate: number;
  latencyMs: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  status: number;
}

/** What an access key was issued for: the company, and the partner's scope the admin picked. */
export interface PartnerGrant {
  companyId: number;
  scope: 'all' | 'selected';
}

const PAGE_MAX = 100;

export class ErecruiterSandbox {
  readonly app: Express;
  readonly auth: Express;
  readonly companies = new Map<number, SandboxCompany>();
  readonly recruitments = new Map<number, SandboxRecruitment>();
  readonly applications = new Map<number, SandboxApplication>();
  readonly requests: LoggedRequest[] = [];
  faults: ErecruiterFaults = { errorRate: 0, dropRate: 0, latencyMs: 0 };
  /** Token requests answered (the password grant). */
  tokenRequests = 0;
  /** Called with each API request's path before it is answered (tests act at a chosen moment). */
  onRequest?: (method: string, path: string) => void;
  private readonly keys = new Map<string, PartnerGrant>([[SANDBOX_ACCESS_KEY, { companyId: SANDBOX_COMPANY_ID, scope: 'all' }]]);
  private readonly tokens = new Map<string, PartnerGrant & { expiresAt: number }>();
  private readonly random: () => number;
  private nextId = 1000;

  constructor(options: { faultSeed?: number } = {}) {
    this.random = seededRandom(options.faultSeed ?? 11);
    this.app = this.buildApi();
    this.auth = this.buildAuth();
  }

  /** Issues a partner key, as an admin does when activating the partner (Settings → Integrations → Partners). */
  addKey(key: string, grant: Partial<PartnerGrant> = {}): void {
    this.keys.set(key, { companyId: SANDBOX_COMPANY_ID, scope: 'all', ...grant });
  }

  revokeKey(key: string): void {
    this.keys.delete(key);
  }

  /** Every token of the password grant stops working (401), as when they expire early. */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** The scope of the partner key(s): all recruitments, or only those ticking the partner. */
  setScope(scope: 'all' | 'selected'): void {
    for (const grant of this.keys.values()) grant.scope = scope;
  }

  /** A company: eRecruiter's default stages and two publication places (one made for inhire), unless it exists. */
  company(id = SANDBOX_COMPANY_ID): SandboxCompany {
    let company = this.companies.get(id);
    if (!company) {
      company = {
        id,
        name: `Firma ${id} Sp. z o.o.`,
        stages: DEFAULT_STAGES.map((name, i) => ({ id: i + 1, name, isDefault: true })),
        origins: [{ id: 1, name: 'Strona kariery' }, SANDBOX_INHIRE_ORIGIN],
      };
      this.companies.set(id, company);
    }
    return company;
  }

  /** A stage the company defines itself. */
  addStage(name: string, companyId = SANDBOX_COMPANY_ID): SandboxStage {
    const { stages } = this.company(companyId);
    const stage = { id: stages.length + 1, name, isDefault: false };
    stages.push(stage);
    return stage;
  }

  addRecruitment(input: Partial<SandboxRecruitment> = {}): SandboxRecruitment {
    const id = input.id ?? this.nextId++;
    const recruitment: SandboxRecruitment = {
      name: `Rekrutacja ${id}`,
      status: 'Open',
      partnerEnabled: false,
      ...input,
      id,
      companyId: input.companyId ?? SANDBOX_COMPANY_ID,
    };
    this.company(recruitment.companyId);
    this.recruitments.set(id, recruitment);
    return recruitment;
  }

  /** An application as someone (or something) else made it: a recruiter, a job board, or before a given time. */
  addApplication(input: {
    recruitmentId: number;
    createdAt?: string;
    externalId?: string;
    originId?: number;
    stageName?: string;
  }): SandboxApplication {
    const at = input.createdAt ?? new Date().toISOString();
    const stage = this.stageNamed(input.stageName ?? 'Nowy', this.companyOf(input.recruitmentId));
    const application: SandboxApplication = {
      id: this.nextId++,
      recruitmentId: input.recruitmentId,
      candidateId: this.nextId++,
      externalId: input.externalId,
      originId: input.originId ?? 1,
      createdAt: at,
      stageId: stage.id,
      history: [{ stageId: stage.id, changedAt: at }],
      contact: { firstName: 'Anna', lastName: 'Nowak' },
    };
    this.applications.set(application.id, application);
    return application;
  }

  /** A recruiter moves the application to another stage (at `at`, default now: after its last change). */
  moveApplication(id: number, stageName: string, when?: string): SandboxApplication {
    const application = this.applications.get(id);
    if (!application) throw new Error(`no application ${id}`);
    const last = Date.parse(application.history[application.history.length - 1].changedAt);
    const at = when ?? new Date(Math.max(Date.now(), last + 1)).toISOString();
    const stage = this.stageNamed(stageName, this.companyOf(application.recruitmentId));
    application.stageId = stage.id;
    application.history.push({ stageId: stage.id, changedAt: at });
    return application;
  }

  stageNamed(name: string, companyId = SANDBOX_COMPANY_ID): SandboxStage {
    const stage = this.company(companyId).stages.find((s) => s.name === name);
    if (!stage) throw new Error(`no stage "${name}" in company ${companyId}`);
    return stage;
  }

  private companyOf(recruitmentId: number): number {
    const recruitment = this.recruitments.get(recruitmentId);
    if (!recruitment) throw new Error(`no recruitment ${recruitmentId}`);
    return recruitment.companyId;
  }

  /** Applications of one recruitment whose `externalId` is the tool's candidate. */
  applicationsOf(externalId: string): SandboxApplication[] {
    return [...this.applications.values()].filter((a) => a.externalId === externalId);
  }

  private buildAuth(): Express {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post('/oAuth/Token', (req, res) => {
      this.tokenRequests += 1;
      const [clientId, clientSecret] = basic(req.headers.authorization);
      if (clientId !== SANDBOX_OAUTH.clientId || clientSecret !== SANDBOX_OAUTH.clientSecret)
        return res.status(401).json({ error: 'invalid_client' });
      if (req.body?.grant_type !== 'password') return res.status(400).json({ error: 'unsupported_grant_type' });
      if (req.body.username !== SANDBOX_OAUTH.username || req.body.password !== SANDBOX_OAUTH.password)
        return res.status(400).json({ error: 'invalid_grant' });
      const token = randomUUID();
      this.tokens.set(token, { companyId: SANDBOX_COMPANY_ID, scope: 'all', expiresAt: Date.now() + 3600_000 });
      res.json({ access_token: token, token_type: 'bearer', expires_in: 3600, refresh_token: randomUUID() });
    });
    return app;
  }

  private buildApi(): Express {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json({ limit: '20mb' }));
    this.controlRoutes(app);
    app.use('/v1.1', (req, res, next) => this.gate(req, res, next));
    this.apiRoutes(app);
    app.use((_req, res) => fail(res, 404, 'NotFound', 'No HTTP resource was found that matches the request URI.'));
    return app;
  }

  private grantOf(req: Request): PartnerGrant | undefined {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return undefined;
    const bearer = header.slice(7);
    const token = this.tokens.get(bearer);
    if (token && token.expiresAt > Date.now()) return token;
    return this.keys.get(bearer);
  }

  /** Logging, faults, auth and the company, as a gateway would apply them. */
  private async gate(req: Request, res: Response, next: NextFunction) {
    const path = req.path;
    const logged: LoggedRequest = { method: req.method, path, query: { ...req.query }, status: 0 };
    this.requests.push(logged);
    res.on('finish', () => {
      logged.status = res.statusCode;
    });
    this.onRequest?.(req.method, path);
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.random() < this.faults.dropRate) {
      logged.status = -1;
      req.socket.destroy();
      return;
    }
    const grant = this.grantOf(req);
    if (!grant) return fail(res, 401, 'Unauthorized', 'Authorization has been denied for this request.');
    if (this.random() < this.faults.errorRate) return fail(res, 500, 'InternalError', 'An error has occurred.');
    res.locals.grant = grant;
    if (path === '/Account/Companies') return next();
    const companyId = Number(req.query.companyId);
    if (req.query.companyId === undefined) return fail(res, 400, 'ValidationError', 'The companyId field is required.', 'Query');
    if (companyId !== grant.companyId) return fail(res, 403, 'CompanyNotAllowed', `No access to company ${req.query.companyId}.`);
    next();
  }

  /** The recruitment if the key may read and write it; otherwise the answer is sent (404, 403 PartnerNotAllowed). */
  private allowed(res: Response, id: string): SandboxRecruitment | undefined {
    const grant = res.locals.grant as PartnerGrant;
    const recruitment = this.recruitments.get(Number(id));
    if (!recruitment || recruitment.companyId !== grant.companyId) {
      fail(res, 404, 'NotFound', `Recruitment ${id} not found.`);
      return undefined;
    }
    if (grant.scope === 'selected' && !recruitment.partnerEnabled) {
      fail(res, 403, 'PartnerNotAllowed', `The partner is not allowed in recruitment ${id}.`);
      return undefined;
    }
    return recruitment;
  }

  private apiRoutes(app: Express) {
    const companyOf = (res: Response) => this.company((res.locals.grant as PartnerGrant).companyId);
    const recruitmentView = ({ companyId: _c, ...r }: SandboxRecruitment) => r;
    app.get('/v1.1/Account/Companies', (_req, res) => {
      const { id, name } = companyOf(res);
      res.json([{ id, name }]);
    });
    app.get('/v1.1/Account/Stages', (_req, res) => res.json(companyOf(res).stages));
    app.get('/v1.1/Dictionaries/RecruitmentStages', (_req, res) => res.json(companyOf(res).stages));
    app.get('/v1.1/Account/Origins', (_req, res) => res.json(companyOf(res).origins));

    app.get('/v1.1/Recruitments', (req, res) => {
      const companyId = companyOf(res).id;
      const all = [...this.recruitments.values()].filter((r) => r.companyId === companyId).sort((a, b) => a.id - b.id);
      const page = this.page(req, res, all);
      if (page) res.json({ recruitments: page.map(recruitmentView) });
    });
    app.get('/v1.1/Recruitments/:id', (req, res) => {
      const recruitment = this.allowed(res, req.params.id);
      if (recruitment) res.json(recruitmentView(recruitment));
    });
    app.get('/v1.1/Recruitments/:id/Stages', (req, res) => {
      if (this.allowed(res, req.params.id)) res.json(companyOf(res).stages);
    });
    app.get('/v1.1/Recruitments/:id/CandidateApplications', (req, res) => {
      const recruitment = this.allowed(res, req.params.id);
      if (!recruitment) return;
      const all = [...this.applications.values()].filter((a) => a.recruitmentId === recruitment.id).sort((a, b) => a.id - b.id);
      const page = this.page(req, res, all);
      if (page)
        res.json({
          candidateApplications: page.map((a) => ({
            id: a.id,
            candidateId: a.candidateId,
            ...(a.externalId ? { externalId: a.externalId } : {}),
            originId: a.originId,
            createdAt: a.createdAt,
            stageId: a.stageId,
          })),
        });
    });
    app.post('/v1.1/Recruitments/:id/CandidateApplications', (req, res) => {
      const recruitment = this.allowed(res, req.params.id);
      if (!recruitment) return;
      const body = req.body ?? {};
      const missing = ['firstName', 'lastName', 'originId', 'externalId'].filter((f) => body[f] === undefined || body[f] === '');
      if (missing.length)
        return fail(res, 400, 'ValidationError', `The fields ${missing.join(', ')} are required.`, 'CandidateApplication');
      if (!companyOf(res).origins.some((o) => String(o.id) === String(body.originId)))
        return fail(res, 400, 'ValidationError', `Origin ${body.originId} does not exist.`, 'CandidateApplication');
      const existing = [...this.applications.values()].find(
        (a) => a.recruitmentId === recruitment.id && a.externalId === String(body.externalId),
      );
      if (existing) {
        res.set('Location', `CandidateApplications/${existing.id}`);
        return fail(
          res,
          409,
          'DuplicateApplication',
          `Application ${existing.id} already exists for this candidate.`,
          'CandidateApplication',
        );
      }
      const at = new Date().toISOString();
      const nowy = this.stageNamed('Nowy', recruitment.companyId);
      const application: SandboxApplication = {
        id: this.nextId++,
        recruitmentId: recruitment.id,
        candidateId: this.nextId++,
        externalId: String(body.externalId),
        originId: Number(body.originId),
        createdAt: at,
        stageId: nowy.id,
        history: [{ stageId: nowy.id, changedAt: at }],
        contact: { firstName: String(body.firstName), lastName: String(body.lastName), email: body.email, phone: body.phone },
        cv: body.cv?.base64
          ? {
              fileName: String(body.cv.fileName ?? 'cv'),
              contentType: String(body.cv.contentType ?? 'application/octet-stream'),
              bytes: Buffer.from(String(body.cv.base64), 'base64'),
            }
          : undefined,
      };
      this.applications.set(application.id, application);
      res
        .status(201)
        .location(`CandidateApplications/${application.id}`)
        .json({ candidateApplicationId: application.id, candidateId: application.candidateId });
    });

    app.get('/v1.1/CandidateApplications/:id', (req, res) => {
      const a = this.applicationFor(req, res);
      if (a)
        res.json({
          id: a.id,
          candidateId: a.candidateId,
          externalId: a.externalId,
          originId: a.originId,
          createdAt: a.createdAt,
          stageId: a.stageId,
          recruitmentId: a.recruitmentId,
        });
    });
    app.get('/v1.1/CandidateApplications/:id/StagesHistory', (req, res) => {
      const a = this.applicationFor(req, res);
      if (a) res.json(a.history);
    });
    const candidateOf = (req: Request, res: Response) => {
      const a = [...this.applications.values()].find((x) => String(x.candidateId) === req.params.id);
      return a && this.recruitments.get(a.recruitmentId)?.companyId === companyOf(res).id ? a : undefined;
    };
    app.get('/v1.1/Candidates/:id/ContactData', (req, res) => {
      const a = candidateOf(req, res);
      if (!a) return fail(res, 404, 'NotFound', `Candidate ${req.params.id} not found.`);
      res.json(a.contact);
    });
    app.get('/v1.1/Candidates/CVs/:id', (req, res) => {
      const a = candidateOf(req, res);
      if (!a?.cv) return fail(res, 404, 'NotFound', `No CV for candidate ${req.params.id}.`);
      res.type(a.cv.contentType).set('Content-Disposition', `attachment; filename="${a.cv.fileName}"`).send(a.cv.bytes);
    });
  }

  private applicationFor(req: Request, res: Response): SandboxApplication | undefined {
    const a = this.applications.get(Number(req.params.id));
    if (!a) {
      fail(res, 404, 'NotFound', `Candidate application ${req.params.id} not found.`);
      return undefined;
    }
    return this.allowed(res, String(a.recruitmentId)) ? a : undefined;
  }

  /** `offset` + `limit` (default and at most 100): an offset past the end is an empty page. */
  private page<T>(req: Request, res: Response, items: T[]): T[] | undefined {
    const offset = req.query.offset === undefined ? 0 : Number(req.query.offset);
    const limit = req.query.limit === undefined ? PAGE_MAX : Number(req.query.limit);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) {
      fail(res, 400, 'ValidationError', `offset must be 0 or more and limit from 1 to ${PAGE_MAX}.`, 'Query');
      return undefined;
    }
    return items.slice(offset, offset + limit);
  }

  /** Test and demo controls (not part of eRecruiter). */
  private controlRoutes(app: Express) {
    app.post('/_sandbox/stages', (req, res) =>
      res
        .status(201)
        .json(this.addStage(String(req.body?.name), req.body?.companyId === undefined ? undefined : Number(req.body.companyId))),
    );
    app.post('/_sandbox/recruitments', (req, res) => res.status(201).json(this.addRecruitment(req.body ?? {})));
    app.patch('/_sandbox/recruitments/:id', (req, res) => {
      const r = this.recruitments.get(Number(req.params.id));
      if (!r) return res.status(404).json({ error: 'no such recruitment' });
      Object.assign(r, req.body ?? {});
      res.json(r);
    });
    app.post('/_sandbox/applications/:id/stage', (req, res) => {
      try {
        res.json(this.moveApplication(Number(req.params.id), String(req.body?.stage), req.body?.at ?? undefined));
      } catch (err) {
        res.status(404).json({ error: (err as Error).message });
      }
    });
    app.put('/_sandbox/faults', (req, res) => {
      this.faults = { ...this.faults, ...(req.body ?? {}) };
      res.json(this.faults);
    });
    app.put('/_sandbox/scope', (req, res) => {
      this.setScope(req.body?.scope === 'selected' ? 'selected' : 'all');
      res.status(204).end();
    });
    app.get('/_sandbox/applications', (_req, res) => {
      res.json([...this.applications.values()].map(({ cv, contact: _c, ...a }) => ({ ...a, cv: cv ? cv.fileName : undefined })));
    });
  }
}

function fail(res: Response, status: number, errorCode: string, message: string, modelType: string | null = null) {
  res.status(status).json([{ message, errorCode, modelType }]);
}

function basic(header: string | undefined): [string, string] {
  if (!header?.startsWith('Basic ')) return ['', ''];
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  return at < 0 ? [decoded, ''] : [decoded.slice(0, at), decoded.slice(at + 1)];
}
