import { GENERIC_ACCOUNT } from '../domain/posting';
import { providers } from '../providers';
import { assertSavedFor, type OriginPolicy, originOf } from '../providers/origins';
import type { Store } from '../store';
import type { BoardAccountBase, BoardClient, BoardEntry, BoardIntake, BoardSettingsBase } from './types';

/** Every job board jobrelay can post to. */
export const boards: Record<string, BoardEntry> = Object.fromEntries(
  Object.values(providers).flatMap((p) => (p.board ? [[p.name, p.board]] : [])),
);

/** The board's application intake, when it delivers applications to us. */
export function boardIntake(name: string): BoardIntake | undefined {
  return boardEntry(name)?.intake;
}

export class BoardNotConfiguredError extends Error {}

export function boardEntry(name: string): BoardEntry | undefined {
  return Object.hasOwn(boards, name) ? boards[name] : undefined;
}

/** The board's stored settings with credentials opened; throws when the board is unknown or not set up. */
export async function loadBoard(
  store: Store,
  name: string,
): Promise<{ entry: BoardEntry; settings: BoardSettingsBase; origin: string; credentialsOrigin?: string }> {
  const entry = boardEntry(name);
  if (!entry) throw new BoardNotConfiguredError(`unknown board "${name}" (known: ${Object.keys(boards).join(', ')})`);
  const stored = await store.boards.getSettings<Omit<BoardSettingsBase, 'credentials'>, unknown>(name);
  if (!stored) throw new BoardNotConfiguredError(`${name} is not set up: PUT /v1/boards/${name} first`);
  return {
    entry,
    settings: { ...stored.settings, credentials: stored.credentials },
    origin: boardOrigin(name, stored.settings.baseUrl),
    credentialsOrigin: stored.credentialsOrigin,
  };
}

/** The origin a board's API is reached at with this base URL (unset: the board's production API). */
export const boardOrigin = (name: string, baseUrl: string | undefined) => originOf(baseUrl, providers[name].origins);

/**
 * The posting account's client (the generic account, or the recruiter's own) and the origin it talks to. Credentials
 * saved for another origin than the board's current one are not used (CredentialsElsewhereError).
 */
export async function boardClient(
  store: Store,
  name: string,
  account: string,
  origins: OriginPolicy,
): Promise<{ client: BoardClient; origin: string; settings: BoardSettingsBase }> {
  const { entry, settings, origin, credentialsOrigin } = await loadBoard(store, name);
  // An account the board cannot use as set up (e.g. no poster email) needs a person, not a retry.
  const connect = (account?: BoardAccountBase) => {
    try {
      return entry.connect(settings, account, origins);
    } catch (err) {
      throw new BoardNotConfiguredError((err as Error).message);
    }
  };
  if (account === GENERIC_ACCOUNT) {
    assertSavedFor(credentialsOrigin, origin, `the ${name} credentials`);
    return { client: connect(), origin, settings };
  }
  const own = await store.boards.getAccount<Omit<BoardAccountBase, 'credentials'>, unknown>(name, account);
  if (!own)
    throw new BoardNotConfiguredError(
      `${account} has no ${name} account: PUT /v1/boards/${name}/accounts/${account}, or turn on the generic account`,
    );
  assertSavedFor(own.credentialsOrigin, origin, `${account}'s ${name} credentials`);
  return { client: connect({ ...own.settings, credentials: own.credentials }), origin, settings };
}
