import { checkConnection } from '../boards/connection';
import { BoardNotConfiguredError, boardEntry, boardOrigin, boards, loadBoard } from '../boards/registry';
import type { BoardAccountBase, BoardEntry, BoardSettingsBase } from '../boards/types';
import { NotFoundError, ProviderUnreachableError, RefusedError } from '../domain/errors';
import { providers } from '../providers';
import type { OriginPolicy } from '../providers/origins';
import type { Store } from '../store';
import type { TestReport } from '../sync/types';

/**
 * Board settings and recruiters' own accounts: validated by the board's schema, checked with the board itself before
 * they are saved (an account that cannot post, or credentials the board refuses, are a 422 and nothing is saved),
 * credentials sealed, answers masked.
 */
export function createBoardsService(store: Store, origins: OriginPolicy) {
  function entryFor(name: string) {
    const entry = boardEntry(name);
    if (!entry) throw new NotFoundError(`unknown board "${name}"`, { known: Object.keys(boards) });
    return entry;
  }

  async function configured(name: string) {
    try {
      return await loadBoard(store, name);
    } catch (err) {
      if (err instanceof BoardNotConfiguredError) throw new RefusedError(err.message);
      throw err;
    }
  }

  /** What the board says of this account (the board's own when `account` is undefined): undefined when it can post. */
  async function problemWith(entry: BoardEntry, settings: BoardSettingsBase, account?: BoardAccountBase) {
    const problems = entry.accountProblems(settings, account);
    if (problems.length) return { refused: true, message: problems.join('; '), failureClass: problems.join('; ') };
    const check = await checkConnection(entry.connect(settings, account, origins));
    return check.ok ? undefined : check;
  }

  /** The origin these settings send credentials to, once the policy allows it (422 naming why not). */
  function allowedOrigin(name: string, baseUrl: string | undefined): string {
    const refused = baseUrl === undefined ? undefined : origins.refusal(providers[name].origins, baseUrl);
    if (refused) throw new RefusedError(`baseUrl: ${refused}`);
    return boardOrigin(name, baseUrl);
  }

  async function assertCanPost(name: string, entry: BoardEntry, settings: BoardSettingsBase, account?: BoardAccountBase) {
    const problem = await problemWith(entry, settings, account);
    if (!problem) return;
    if (problem.refused) throw new RefusedError(`${name} cannot post with this account: ${problem.message}`);
    throw new ProviderUnreachableError(`${name} could not be reached to check the account, so nothing was saved: ${problem.message}`);
  }

  /** The board's own account posts for the generic account; without it, it is checked when it is complete. */
  const boardAccountInUse = (entry: BoardEntry, settings: BoardSettingsBase) =>
    settings.genericAccount || entry.accountProblems(settings).length === 0;

  return {
    /** `body` was validated by the board's schema at the route. */
    async putSettings(name: string, body: { credentials?: unknown; baseUrl?: string }) {
      const entry = entryFor(name);
      const origin = allowedOrigin(name, body.baseUrl);
      const current = await store.boards.getSettings<{ baseUrl?: string }, unknown>(name);
      // Stored credentials go only where they were saved for: a new address needs them again, in the same request.
      if (body.credentials === undefined) {
        const savedFor = current && (current.credentialsOrigin ?? boardOrigin(name, current.settings.baseUrl));
        if (!current || savedFor !== origin)
          throw new RefusedError(`credentials are required${current ? ` when the board moves from ${savedFor} to ${origin}` : ''}`);
      }
      const credentials = body.credentials ?? current!.credentials;
      const settings = { ...body, credentials } as BoardSettingsBase;
      if (boardAccountInUse(entry, settings)) await assertCanPost(name, entry, settings);
      const { credentials: _given, ...rest } = body;
      await store.boards.putSettings(name, rest, credentials, body.credentials === undefined ? current!.credentialsOrigin : origin);
      return this.getSettings(name);
    },

    /** The settings, masked, with the job statuses of open jobs the board has no job type for yet. */
    async getSettings(name: string) {
      const entry = entryFor(name);
      const stored = await store.boards.getSettings<Record<string, unknown>, Record<string, unknown>>(name);
      if (!stored) throw new NotFoundError(`${name} is not set up`);
      const settings = { ...stored.settings, credentials: stored.credentials } as unknown as BoardSettingsBase;
      const unmappedJobStatuses = (await store.jobs.openJobStatuses()).filter((s) => !entry.mapsJobStatus(settings, s.employmentStatus));
      return {
        board: name,
        ...stored.settings,
        credentials: maskCredentials(stored.credentials),
        updatedAt: stored.updatedAt,
        unmappedJobStatuses,
      };
    },

    async putAccount(name: string, recruiterEmail: string, body: { credentials: unknown }) {
      const entry = entryFor(name);
      const { settings, origin } = await configured(name);
      await assertCanPost(name, entry, settings, body as BoardAccountBase);
      const { credentials, ...rest } = body;
      // A recruiter's credentials are saved for the board's current address.
      await store.boards.putAccount(name, recruiterEmail, rest, credentials, origin);
      const stored = await store.boards.getAccount<Record<string, unknown>, Record<string, unknown>>(name, recruiterEmail);
      return {
        board: name,
        account: recruiterEmail.toLowerCase(),
        ...stored!.settings,
        credentials: maskCredentials(stored!.credentials),
        updatedAt: stored!.updatedAt,
      };
    },

    /** Checks the stored accounts with the board again: the board's own (when in use) and every recruiter's. */
    async test(name: string): Promise<TestReport> {
      const entry = entryFor(name);
      const { settings, origin, credentialsOrigin } = await configured(name);
      const accounts = await store.boards.listAccounts<Record<string, unknown>, unknown>(name);
      const targets: Array<{ name: string; account?: BoardAccountBase; savedFor?: string }> = [
        ...(boardAccountInUse(entry, settings)
          ? [{ name: settings.genericAccount ? 'generic account' : 'board account', savedFor: credentialsOrigin }]
          : []),
        ...accounts.map((a) => ({
          name: a.account,
          account: { ...a.settings, credentials: a.credentials },
          savedFor: a.credentialsOrigin,
        })),
      ];
      const checks = await Promise.all(
        targets.map(async (target) => {
          // Credentials saved for another address are not sent to this one to find out.
          if (target.savedFor && target.savedFor !== origin)
            return { name: target.name, ok: false, detail: `credentials saved for ${target.savedFor}, not ${origin}: enter them again` };
          const problem = await problemWith(entry, settings, target.account);
          // The failure's class only: the answering host's body is not echoed.
          return problem ? { name: target.name, ok: false, detail: problem.failureClass } : { name: target.name, ok: true };
        }),
      );
      const missing = checks.length ? [] : ['an account that can post: turn on the generic account, or add a recruiter’s account'];
      return { ok: checks.length > 0 && checks.every((c) => c.ok), checks, missing };
    },

    /** Every board, as the ATS's "Job boards" screen shows it for one job. */
    async forJob(jobId: string) {
      const postings = await store.postings.listForJob(jobId);
      return Promise.all(
        Object.keys(boards).map(async (name) => {
          const stored = await store.boards.getSettings<{ enabled?: boolean }, unknown>(name);
          const posting = postings.find((p) => p.board === name);
          return {
            board: name,
            configured: Boolean(stored),
            enabled: Boolean(stored?.settings.enabled ?? false),
            posted: posting?.state === 'live' || posting?.state === 'pending',
            posting: posting && {
              id: posting.id,
              state: posting.state,
              // The link to view the role on the board, while the board shows it (the posting keeps it as history).
              ...(posting.state === 'live' && { publicUrl: posting.publicUrl, expiresAt: posting.expiresAt }),
              repostCount: posting.repostCount,
            },
          };
        }),
      );
    },
  };
}

/** Who the credentials are, never the secret: values of secret-looking keys are replaced. */
export function maskCredentials(credentials: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, /secret|password|key|token/i.test(k) ? '••••' : v]));
}

export type BoardsService = ReturnType<typeof createBoardsService>;
