import { ApplicationFailure } from '@temporalio/common';
import { failureClass } from '../providers/errors';
import type { BoardClient } from './types';

/** What a board said to a connection test: accepted, refused (wrong credentials, unknown poster) or not reachable. */
export type ConnectionCheck = { ok: true } | { ok: false; refused: boolean; message: string; failureClass: string };

/** Runs the board's connection test (a cheap authenticated read); the board's own message when it fails. */
export async function checkConnection(client: BoardClient): Promise<ConnectionCheck> {
  try {
    await client.testConnection();
    return { ok: true };
  } catch (err) {
    // Board clients fail with the provider's ApplicationFailure: non-retryable means the board refused (auth, validation).
    const refused = err instanceof ApplicationFailure && err.nonRetryable === true;
    return { ok: false, refused, message: err instanceof Error ? err.message : String(err), failureClass: failureClass(err) };
  }
}
