import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { describeFieldIssue, PostedJob } from './sandbox-contract';
import { controlRoutes } from './sandbox-control';
import { directApplyRoutes } from './sandbox-direct-apply';
import {
  type CvLibrarySandboxState,
  DAY_MS,
  fail,
  freshState,
  jobStatus,
  jobUrl,
  jobView,
  RATE_LIMIT,
  type SandboxAccount,
  type SandboxJob,
  TOKEN_LIFETIME_S,
} from './sandbox-state';

export type { CvLibrarySandboxState } from './sandbox-state';

export interface CvLibrarySandbox {
  app: express.Express;
  state: CvLibrarySandboxState;
  /** The sandbox clock: `options.now` (default Date.now) plus every `POST /_sandbox/clock` advance. */
  now(): number;
}

/**
 * A fake CV-Library posting API, faithful to the contract jobrelay assumes (shared/providers/cv-library.md),
 * with control endpoints under `/_sandbox` for tests and the demo.
 */
export function createCvLibrarySandbox(options: { now?: () => number; rateClock?: () => number } = {}): CvLibrarySandbox {
  const state = freshState();
  const now = () => (options.now ?? Date.now)() + state.clockOffsetMs;
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '5mb' }));
  app.use(express.urlencoded({ extended: false }));

  app.use('/_sandbox', controlRoutes(state, now));
  app.use('/_sandbox', directApplyRoutes(state, now));

  app.use(countRequest(state), injectFaults(state));
  app.post('/oauth/token', tokenEndpoint(state, now));
  app.use('/v2', authenticate(state, now), rateLimit(state, options.rateClock ?? (() => performance.now())));
  jobRoutes(app, state, now);

  app.use((_req: Request, res: Response) => fail(res, 404, 'not_found', 'no such endpoint'));
  app.use((err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.parse.failed') return fail(res, 400, 'invalid_json', 'the body is not valid JSON');
    const status = err.status && err.status < 500 ? err.status : 500;
    fail(res, status, status === 500 ? 'server_error' : 'bad_request', status === 500 ? 'internal error' : String(err.message));
  });
  return { app, state, now };
}

type Now = () => number;
type Authed = Response<unknown, { account: SandboxAccount }>;

function jobRoutes(app: express.Express, state: CvLibrarySandboxState, now: Now) {
  app.post('/v2/job/create', (req, res: Authed) => {
    const job = validJob(req.body, res);
    if (!job) return;
    const { account } = res.locals;
    const holder = liveJobs(state, account, now()).find((j) => j.job.reference === job.reference);
    if (holder) {
      holder.requests++;
      return fail(res, 409, 'conflict', `reference ${job.reference} is already live as job ${holder.jobId}`, { job_id: holder.jobId });
    }
    const postedAt = now(); // one reading: the job lasts exactly its days from its creation
    const created: SandboxJob = {
      jobId: state.nextJobId++,
      accountId: account.id,
      job,
      createdAt: postedAt,
      expiresAt: postedAt + job.duration_days * DAY_MS,
      requests: 1,
    };
    state.jobs.set(created.jobId, created);
    res.json(published(created));
  });

  app.post('/v2/job/update/:jobId', (req, res: Authed) => {
    const found = ownJob(state, req.params.jobId, res);
    if (!found) return;
    const status = jobStatus(found, now());
    if (status !== 'live') return fail(res, 404, 'not_found', `job ${found.jobId} is ${status}`);
    const job = validJob(req.body, res);
    if (!job) return;
    const holder = liveJobs(state, res.locals.account, now()).find((j) => j.job.reference === job.reference && j !== found);
    if (holder)
      return fail(res, 409, 'conflict', `reference ${job.reference} is already live as job ${holder.jobId}`, { job_id: holder.jobId });
    // An update never extends the posting: to extend, delete and post again.
    found.job = { ...job, duration_days: found.job.duration_days };
    res.json(published(found));
  });

  app.delete('/v2/job/delete/:jobId', (req, res: Authed) => {
    if (!posterOk(String(req.query.poster_email ?? ''), res)) return;
    const found = ownJob(state, req.params.jobId, res);
    if (!found) return;
    const status = jobStatus(found, now());
    if (status !== 'live') return fail(res, 404, 'not_found', `job ${found.jobId} is ${status}`);
    found.deletedAt = now();
    res.json({ job_id: found.jobId, status: 'deleted' });
  });

  app.get('/v2/job/:jobId', (req, res: Authed) => {
    if (!posterOk(String(req.query.poster_email ?? ''), res)) return;
    const found = ownJob(state, req.params.jobId, res);
    if (found) res.json(jobView(found, now()));
  });

  app.get('/v2/jobs', (req, res: Authed) => {
    if (!posterOk(String(req.query.poster_email ?? ''), res)) return;
    res.json({ jobs: liveJobs(state, res.locals.account, now()).map((j) => jobView(j, now())) });
  });
}

const published = (j: SandboxJob) => ({
  job_id: j.jobId,
  url: jobUrl(j.jobId, j.job.title),
  expires_at: new Date(j.expiresAt).toISOString(),
});

const liveJobs = (state: CvLibrarySandboxState, account: SandboxAccount, at: number) =>
  [...state.jobs.values()].filter((j) => j.accountId === account.id && jobStatus(j, at) === 'live');

/** A job of this account, counted; answers 404 itself when there is none (another account's job is none too). */
function ownJob(state: CvLibrarySandboxState, id: string, res: Authed): SandboxJob | undefined {
  const job = state.jobs.get(Number(id));
  if (!job || job.accountId !== res.locals.account.id) {
    fail(res, 404, 'not_found', `job ${id} not found`);
    return undefined;
  }
  job.requests++;
  return job;
}

/** The body as a CV-Library job, or a 422 naming the first wrong field. */
function validJob(body: unknown, res: Authed): PostedJob | undefined {
  const parsed = PostedJob.safeParse(body ?? {});
  if (!parsed.success) {
    const { field, message } = describeFieldIssue(parsed.error.issues);
    fail(res, 422, 'invalid_field', message, { field });
    return undefined;
  }
  return posterOk(parsed.data.poster_email, res) ? parsed.data : undefined;
}

function posterOk(email: string, res: Authed): boolean {
  if (!email) {
    fail(res, 422, 'invalid_field', 'poster_email is required', { field: 'poster_email' });
    return false;
  }
  if (!res.locals.account.posterEmails.some((p) => p.toLowerCase() === email.toLowerCase())) {
    fail(res, 422, 'invalid_field', `poster_email: ${email} is not a poster on this account`, { field: 'poster_email' });
    return false;
  }
  return true;
}

function basicAuth(req: Request): { user: string; pass: string } | undefined {
  const [scheme, value] = (req.headers.authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

function tokenEndpoint(state: CvLibrarySandboxState, now: Now) {
  return (req: Request, res: Response) => {
    state.tokenRequests++;
    const basic = basicAuth(req);
    const clientId = basic?.user ?? req.body?.client_id;
    const secret = basic?.pass ?? req.body?.client_secret;
    const account = state.accounts.find((a) => a.clientId !== undefined && a.clientId === clientId && a.clientSecret === secret);
    if (!account) return fail(res.set('WWW-Authenticate', 'Basic'), 401, 'invalid_client', 'unknown client id or wrong secret key');
    if (req.body?.grant_type !== 'client_credentials')
      return fail(res, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    const token = randomBytes(24).toString('base64url');
    state.tokens.set(token, { accountId: account.id, expiresAt: now() + TOKEN_LIFETIME_S * 1000 });
    res.json({ access_token: token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S });
  };
}

function authenticate(state: CvLibrarySandboxState, now: Now) {
  return (req: Request, res: Response, next: NextFunction) => {
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    let account: SandboxAccount | undefined;
    if (scheme?.toLowerCase() === 'bearer') {
      const token = state.tokens.get(value ?? '');
      if (token && token.expiresAt > now()) account = state.accounts.find((a) => a.id === token.accountId);
    } else {
      const basic = basicAuth(req);
      account = basic && state.accounts.find((a) => a.username !== undefined && a.username === basic.user && a.password === basic.pass);
    }
    if (!account) {
      const message = scheme?.toLowerCase() === 'bearer' ? 'invalid or expired access token' : 'invalid username or password';
      return fail(res.set('WWW-Authenticate', 'Basic, Bearer'), 401, 'unauthorized', message);
    }
    res.locals.account = account;
    next();
  };
}

/** A token bucket per account on the real clock (request rate is not business time), or on `clock` (ms) in a test. */
function rateLimit(state: CvLibrarySandboxState, clock: () => number) {
  return (_req: Request, res: Authed, next: NextFunction) => {
    const at = clock();
    const bucket = state.buckets.get(res.locals.account.id) ?? { tokens: RATE_LIMIT.burst, at };
    bucket.tokens = Math.min(RATE_LIMIT.burst, bucket.tokens + ((at - bucket.at) / 1000) * RATE_LIMIT.perSecond);
    bucket.at = at;
    state.buckets.set(res.locals.account.id, bucket);
    if (bucket.tokens < 1) {
      const wait = Math.ceil((1 - bucket.tokens) / RATE_LIMIT.perSecond);
      return fail(res.set('Retry-After', String(wait)), 429, 'rate_limited', `more than ${RATE_LIMIT.perSecond} requests a second`);
    }
    bucket.tokens -= 1;
    next();
  };
}

function countRequest(state: CvLibrarySandboxState) {
  return (_req: Request, _res: Response, next: NextFunction) => {
    state.requests++;
    next();
  };
}

function injectFaults(state: CvLibrarySandboxState) {
  const served = (what: string | number) => {
    state.faultsServed[what] = (state.faultsServed[what] ?? 0) + 1;
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    const f = state.faults;
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    const scripted = f.failNext.find((x) => x.count > 0);
    if (scripted) {
      scripted.count--;
      served(scripted.status);
      if (scripted.status === 429) res.set('Retry-After', String(f.retryAfterSec));
      const error = scripted.status === 429 ? 'rate_limited' : scripted.status === 422 ? 'invalid_field' : 'injected_fault';
      return fail(res, scripted.status, error, scripted.message ?? `injected ${scripted.status}`);
    }
    if (f.dropConnection > 0 && state.random() < f.dropConnection) {
      served('dropped');
      return req.socket.destroy();
    }
    if (f.rate429 > 0 && state.random() < f.rate429) {
      served(429);
      return fail(res.set('Retry-After', String(f.retryAfterSec)), 429, 'rate_limited', 'too many requests (injected)');
    }
    if (f.rate5xx > 0 && state.random() < f.rate5xx) {
      served(503);
      return fail(res, 503, 'unavailable', 'service unavailable (injected)');
    }
    next();
  };
}
