import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { seededRandom } from '../seeded-random';

// A fake inhire API, written from ../../../../shared/providers/erecruiter-inhire.md (never from our client): the API
// key as bearer (401 `{error}`), the candidates a recruiter approved for the ATS (`status=ready`, by `ats`, changed
// after `updated_after`, cursor pages), the CV file, the delivery outcome (PATCH) and the pipeline status (PUT), with
// fault injection. Mounted under `/inhire` of the pair's sandbox (API at `/api/v1`).

export const SANDBOX_INHIRE_KEY = 'inhire-sandbox-key-0001';
export const PIPELINE = ['waiting_for_decision', 'evaluating', 'interview', 'hired', 'negative'];

export interface SandboxCandidate {
  id: string;
  /** The inhire customer account the candidate was sourced for; an API key sees its own account's candidates. */
  account: string;
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
  offerId: string;
  ats: string;
  atsRecruitmentId: string;
  /**
   * `ready`: approved for the ATS and not sent. A delivery report moves it to `delivered` or `refused` (assumed: the
   * doc says only that PATCH records the outcome); a status update moves it to that pipeline column.
   */
  status: string;
  cv?: { fileName: string; contentType: string; bytes: Buffer };
  atsApplicationId?: string;
  atsDelivery?: 'delivered' | 'refused';
  atsError?: string;
  /** Each status update that changed something, in order: what an exactly-once push is checked against. */
  statusChanges: Array<{ status: string; changedAt: string; source: string }>;
  updatedAt: string;
}

export interface InhireFaults {
  errorRate: number;
  dropRate: number;
  latencyMs: number;
}

const FIRST = ['Anna', 'Piotr', 'Katarzyna', 'Tomasz', 'Magdalena', 'Paweł', 'Agnieszka', 'Michał', 'Joanna', 'Krzysztof'];
const LAST = ['Nowak', 'Kowalski', 'Wiśniewska', 'Wójcik', 'Kamińska', 'Lewandowski', 'Zielińska', 'Szymański', 'Woźniak', 'Dąbrowski'];
/** A small PDF, so a delivered CV is a real file. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export class InhireSandbox {
  readonly app: Express;
  readonly candidates = new Map<string, SandboxCandidate>();
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  faults: InhireFaults = { errorRate: 0, dropRate: 0, latencyMs: 0 };
  onRequest?: (method: string, path: string) => void;
  /** API key → the customer account it belongs to. */
  private readonly keys = new Map([[SANDBOX_INHIRE_KEY, 'demo']]);
  private readonly random: () => number;
  private nextId = 5000;
  private clock = 0;

  constructor(options: { faultSeed?: number } = {}) {
    this.random = seededRandom(options.faultSeed ?? 13);
    this.app = this.build();
  }

  /** A customer account's API key (its own candidates only). */
  addKey(key: string, account = 'demo'): void {
    this.keys.set(key, account);
  }

  revokeKey(key: string): void {
    this.keys.delete(key);
  }

  /** Candidates a recruiter approved for an eRecruiter recruitment (`ready`). */
  addReady(recruitmentId: string | number, count = 1, options: { cv?: boolean; seed?: number; account?: string } = {}): SandboxCandidate[] {
    const random = seededRandom(options.seed ?? this.nextId);
    return Array.from({ length: count }, () => {
      const id = String(this.nextId++);
      const first = FIRST[Math.floor(random() * FIRST.length)];
      const last = LAST[Math.floor(random() * LAST.length)];
      const candidate: SandboxCandidate = {
        id,
        account: options.account ?? 'demo',
        firstName: first,
        lastName: last,
        email: `${first}.${last}.${id}@example.pl`.toLowerCase(),
        phone: `+48 600 ${id.padStart(6, '0').slice(0, 3)} ${id.padStart(6, '0').slice(3)}`,
        offerId: `offer-${recruitmentId}`,
        ats: 'erecruiter',
        atsRecruitmentId: String(recruitmentId),
        status: 'ready',
        cv: options.cv === false ? undefined : { fileName: `cv-${id}.pdf`, contentType: 'application/pdf', bytes: PDF },
        statusChanges: [],
        updatedAt: this.tick(),
      };
      this.candidates.set(id, candidate);
      return candidate;
    });
  }

  /** A recruiter approves the candidate for the ATS again (e.g. after a refusal). */
  markReady(id: string): SandboxCandidate {
    const c = this.mustGet(id);
    Object.assign(c, { status: 'ready', updatedAt: this.tick() });
    return c;
  }

  mustGet(id: string): SandboxCandidate {
    const c = this.candidates.get(id);
    if (!c) throw new Error(`no candidate ${id}`);
    return c;
  }

  /** Strictly increasing times, so `updated_after` never loses a candidate changed in the same millisecond. */
  private tick(): string {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return new Date(this.clock).toISOString();
  }

  private build(): Express {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json());
    this.controlRoutes(app);
    app.use('/api/v1', (req, res, next) => this.gate(req, res, next));
    this.apiRoutes(app);
    app.use((_req, res) => res.status(404).json({ error: 'not found' }));
    return app;
  }

  private async gate(req: Request, res: Response, next: NextFunction) {
    const logged = { method: req.method, path: req.path, status: 0 };
    this.requests.push(logged);
    res.on('finish', () => {
      logged.status = res.statusCode;
    });
    this.onRequest?.(req.method, req.path);
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (this.random() < this.faults.dropRate) {
      logged.status = -1;
      req.socket.destroy();
      return;
    }
    const header = req.headers.authorization ?? '';
    const account = header.startsWith('Bearer ') ? this.keys.get(header.slice(7)) : undefined;
    if (!account) return res.status(401).json({ error: 'invalid API key' });
    res.locals.account = account;
    if (this.random() < this.faults.errorRate) return res.status(503).json({ error: 'service unavailable' });
    next();
  }

  private apiRoutes(app: Express) {
    app.get('/api/v1/candidates', (req, res) => {
      const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return res.status(400).json({ error: 'limit must be from 1 to 100' });
      const after = req.query.updated_after === undefined ? undefined : Date.parse(String(req.query.updated_after));
      if (after !== undefined && Number.isNaN(after)) return res.status(400).json({ error: 'updated_after must be an ISO 8601 time' });
      const cursor = req.query.cursor === undefined ? undefined : decodeCursor(String(req.query.cursor));
      if (req.query.cursor !== undefined && !cursor) return res.status(400).json({ error: 'invalid cursor' });
      const matching = [...this.candidates.values()]
        .filter(
          (c) =>
            c.account === res.locals.account &&
            (req.query.ats === undefined || c.ats === req.query.ats) &&
            (req.query.status === undefined || c.status === req.query.status) &&
            (after === undefined || Date.parse(c.updatedAt) > after),
        )
        .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id))
        .filter((c) => !cursor || c.updatedAt > cursor.at || (c.updatedAt === cursor.at && c.id > cursor.id));
      const page = matching.slice(0, limit);
      const last = page[page.length - 1];
      res.json({
        data: page.map((c) => ({
          id: c.id,
          firstName: c.firstName,
          lastName: c.lastName,
          email: c.email,
          ...(c.phone ? { phone: c.phone } : {}),
          offerId: c.offerId,
          atsRecruitmentId: c.atsRecruitmentId,
          ...(c.cv ? { cvUrl: `${req.protocol}://${req.get('host')}${req.baseUrl}/api/v1/candidates/${c.id}/cv` } : {}),
          updatedAt: c.updatedAt,
        })),
        next_cursor: matching.length > limit && last ? encodeCursor({ at: last.updatedAt, id: last.id }) : null,
      });
    });

    const own = (req: Request, res: Response) => {
      const c = this.candidates.get(req.params.id as string);
      return c && c.account === res.locals.account ? c : undefined;
    };

    app.get('/api/v1/candidates/:id/cv', (req, res) => {
      const c = own(req, res);
      if (!c?.cv) return res.status(404).json({ error: 'no CV' });
      res.type(c.cv.contentType).set('Content-Disposition', `attachment; filename="${c.cv.fileName}"`).send(c.cv.bytes);
    });

    app.patch('/api/v1/candidates/:id', (req, res) => {
      const c = own(req, res);
      if (!c) return res.status(404).json({ error: 'candidate not found' });
      const { atsApplicationId, atsDelivery, atsError } = req.body ?? {};
      if (atsDelivery !== 'delivered' && atsDelivery !== 'refused')
        return res.status(422).json({ error: 'atsDelivery must be delivered or refused' });
      if (atsDelivery === 'delivered' && !atsApplicationId) return res.status(422).json({ error: 'atsApplicationId is required' });
      // Sent or refused, it leaves the ready list; a pipeline status once set stays.
      const status = ['ready', 'delivered', 'refused'].includes(c.status) ? atsDelivery : c.status;
      const changed =
        c.atsDelivery !== atsDelivery || c.atsApplicationId !== atsApplicationId || c.atsError !== atsError || c.status !== status;
      if (changed) Object.assign(c, { atsDelivery, atsApplicationId, atsError, status, updatedAt: this.tick() });
      res.json(this.view(c));
    });

    app.put('/api/v1/candidates/:id/status', (req, res) => {
      const c = own(req, res);
      if (!c) return res.status(404).json({ error: 'candidate not found' });
      const { status, source, changedAt } = req.body ?? {};
      if (!PIPELINE.includes(status)) return res.status(422).json({ error: `status must be one of ${PIPELINE.join(', ')}` });
      if (typeof changedAt !== 'string' || Number.isNaN(Date.parse(changedAt)))
        return res.status(422).json({ error: 'changedAt must be an ISO 8601 time' });
      const last = c.statusChanges[c.statusChanges.length - 1];
      const same = c.statusChanges.some((s) => s.status === status && Date.parse(s.changedAt) === Date.parse(changedAt));
      if (!same) {
        c.statusChanges.push({ status, changedAt, source: String(source ?? '') });
        if (!last || Date.parse(changedAt) >= Date.parse(last.changedAt)) c.status = status;
        c.updatedAt = this.tick();
      }
      res.json(this.view(c));
    });
  }

  private view(c: SandboxCandidate) {
    const { cv: _cv, statusChanges: _changes, ats: _ats, account: _account, ...rest } = c;
    return rest;
  }

  private controlRoutes(app: Express) {
    app.post('/_sandbox/candidates', (req, res) => {
      const { recruitmentId, count, cv, account } = req.body ?? {};
      if (recruitmentId === undefined) return res.status(400).json({ error: 'recruitmentId is required' });
      res.status(201).json(this.addReady(recruitmentId, Number(count ?? 1), { cv, account }).map((c) => this.view(c)));
    });
    app.post('/_sandbox/candidates/:id/ready', (req, res) => {
      if (!this.candidates.has(req.params.id)) return res.status(404).json({ error: 'no such candidate' });
      res.json(this.view(this.markReady(req.params.id)));
    });
    app.get('/_sandbox/candidates/:id', (req, res) => {
      const c = this.candidates.get(req.params.id);
      if (!c) return res.status(404).json({ error: 'no such candidate' });
      res.json({ ...this.view(c), statusChanges: c.statusChanges });
    });
    app.put('/_sandbox/faults', (req, res) => {
      this.faults = { ...this.faults, ...(req.body ?? {}) };
      res.json(this.faults);
    });
  }
}

function encodeCursor(value: { at: string; id: string }): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(token: string): { at: string; id: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof v?.at === 'string' && typeof v.id === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
