import type { Express } from 'express';

/** One entry per provider: what the rest of jobrelay may ask of it. */
export interface ProviderEntry {
  name: string;
  /** The provider's fake API, mounted under `/<name>` on the sandbox port by `npm start` and the tests. */
  createSandbox?: () => Express;
}

export const providers: Record<string, ProviderEntry> = {};
