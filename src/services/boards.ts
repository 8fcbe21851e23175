import { HttpError } from '../api/errors';
import { boardEntry, boards } from '../boards/registry';
import type { Store } from '../store';

/** Board settings and recruiters' own accounts: validated by the board's schema, credentials sealed, answers masked. */
export function createBoardsService(store: Store) {
  function entryFor(name: string) {
    const entry = boardEntry(name);
    if (!entry) throw new HttpError(404, `unknown board "${name}"`, { known: Object.keys(boards) });
    return entry;
  }

  return {
    /** `body` was validated by the board's schema at the route. */
    async putSettings(name: string, body: { credentials: unknown }) {
      entryFor(name);
      const { credentials, ...settings } = body;
      await store.boards.putSettings(name, settings, credentials);
      return this.getSettings(name);
    },

    async getSettings(name: string) {
      entryFor(name);
      const stored = await store.boards.getSettings<Record<string, unknown>, Record<string, unknown>>(name);
      if (!stored) throw new HttpError(404, `${name} is not set up`);
      return { board: name, ...stored.settings, credentials: maskCredentials(stored.credentials), updatedAt: stored.updatedAt };
    },

    async putAccount(name: string, recruiterEmail: string, body: { credentials: unknown }) {
      entryFor(name);
      const { credentials, ...settings } = body;
      await store.boards.putAccount(name, recruiterEmail, settings, credentials);
      const stored = await store.boards.getAccount<Record<string, unknown>, Record<string, unknown>>(name, recruiterEmail);
      return {
        board: name,
        account: recruiterEmail.toLowerCase(),
        ...stored!.settings,
        credentials: maskCredentials(stored!.credentials),
        updatedAt: stored!.updatedAt,
      };
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
              publicUrl: posting.publicUrl,
              expiresAt: posting.expiresAt,
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
