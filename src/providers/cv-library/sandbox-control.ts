import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { seededRandom } from '../seeded-random';
import { type CvLibrarySandboxState, fail, freshState, jobView, noFaults, type SandboxAccount } from './sandbox-state';

type Now = () => number;

const share = z.number().min(0).max(1);
const FaultsBody = z.object({
  rate429: share.optional(),
  rate5xx: share.optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  dropConnection: share.optional(),
  /** The next requests are answered with these statuses (and `message`, as the board would word it), in order. */
  failNext: z
    .array(z.object({ status: z.number().int().min(400).max(599), count: z.number().int().min(1), message: z.string().optional() }))
    .optional(),
  seed: z.number().int().optional(),
  retryAfterSec: z.number().int().min(0).optional(),
});
const AccountBody = z
  .object({
    id: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    posterEmails: z.array(z.email()).min(1),
  })
  .refine(
    (a) => (a.username && a.password) || (a.clientId && a.clientSecret),
    'give username + password, clientId + clientSecret, or both',
  );

const AccountChange = z
  .object({ password: z.string().min(1), clientSecret: z.string().min(1), posterEmails: z.array(z.email()).min(1) })
  .partial()
  .strict();

/** `/_sandbox`: seed accounts, inspect jobs, inject faults (and count those served), move the clock, reset. No auth. */
export function controlRoutes(state: CvLibrarySandboxState, now: Now) {
  const router = express.Router();
  const body = <S extends z.ZodType>(schema: S, req: Request, res: Response): z.output<S> | undefined => {
    const parsed = schema.safeParse(req.body ?? {});
    if (!parsed.success) fail(res, 400, 'invalid_body', z.prettifyError(parsed.error));
    return parsed.success ? parsed.data : undefined;
  };

  router.post('/accounts', (req, res) => {
    const input = body(AccountBody, req, res);
    if (!input) return;
    const taken = state.accounts.find(
      (a) => (input.username && a.username === input.username) || (input.clientId && a.clientId === input.clientId),
    );
    if (taken) return fail(res, 409, 'conflict', 'an account with that username or client id exists');
    const account: SandboxAccount = { ...input, id: input.id ?? `acct_${state.accounts.length + 1}` };
    state.accounts.push(account);
    res.status(201).json({ id: account.id, posterEmails: account.posterEmails });
  });

  /** The account's password, secret key or posters changed on CV-Library's side (e.g. a password rotated). */
  router.patch('/accounts/:id', (req, res) => {
    const input = body(AccountChange, req, res);
    if (!input) return;
    const account = state.accounts.find((a) => a.id === req.params.id);
    if (!account) return fail(res, 404, 'not_found', `no account ${req.params.id}`);
    Object.assign(account, input);
    res.json({ id: account.id, posterEmails: account.posterEmails });
  });

  router.get('/jobs', (_req, res) => {
    res.json({
      jobs: [...state.jobs.values()].map((j) => ({
        ...jobView(j, now()),
        account: j.accountId,
        requests: j.requests,
        ...(j.deletedAt !== undefined && { deleted_at: new Date(j.deletedAt).toISOString() }),
      })),
    });
  });

  router.get('/stats', (_req, res) => {
    res.json({
      requests: state.requests,
      tokenRequests: state.tokenRequests,
      faultsServed: state.faultsServed,
      now: new Date(now()).toISOString(),
    });
  });

  router.post('/faults', (req, res) => {
    const input = body(FaultsBody, req, res);
    if (!input) return;
    state.faults = { ...noFaults(), ...input, failNext: (input.failNext ?? []).map((x) => ({ ...x })) };
    state.random = seededRandom(state.faults.seed);
    res.json(state.faults);
  });

  router.post('/clock', (req, res) => {
    // Negative moves it back: a board clock behind ours makes a job expire within seconds of real time.
    const input = body(z.object({ advanceMs: z.number() }), req, res);
    if (!input) return;
    state.clockOffsetMs += input.advanceMs;
    res.json({ now: new Date(now()).toISOString() });
  });

  router.post('/reset', (_req, res) => {
    state.lifetime.abort();
    Object.assign(state, freshState());
    res.json({ reset: true });
  });
  return router;
}
