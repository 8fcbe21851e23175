import { GENERIC_ACCOUNT } from '../domain/posting';
import { providers } from '../providers';
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
export async function loadBoard(store: Store, name: string): Promise<{ entry: BoardEntry; settings: BoardSettingsBase }> {
  const entry = boardEntry(name);
  if (!entry) throw new BoardNotConfiguredError(`unknown board "${name}" (known: ${Object.keys(boards).join(', ')})`);
  const stored = await store.boards.getSettings<Omit<BoardSettingsBase, 'credentials'>, unknown>(name);
  if (!stored) throw new BoardNotConfiguredError(`${name} is not set up: PUT /v1/boards/${name} first`);
  return { entry, settings: { ...stored.settings, credentials: stored.credentials } };
}

/** The posting account's client: the generic account, or the recruiter's own. */
export async function boardClient(store: Store, name: string, account: string): Promise<BoardClient> {
  const { entry, settings } = await loadBoard(store, name);
  if (account === GENERIC_ACCOUNT) return entry.connect(settings);
  const own = await store.boards.getAccount<Omit<BoardAccountBase, 'credentials'>, unknown>(name, account);
  if (!own)
    throw new BoardNotConfiguredError(
      `${account} has no ${name} account: PUT /v1/boards/${name}/accounts/${account}, or turn on the generic account`,
    );
  return entry.connect(settings, { ...own.settings, credentials: own.credentials });
}
