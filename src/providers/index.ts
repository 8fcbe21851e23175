import type { Express } from 'express';
import type { BoardEntry } from '../boards/types';
import type { PhoneCountry } from '../domain/phone';
import type { PersonalDataHolder } from '../privacy/holders';
import type { RelayEntry } from '../relay/types';
import type { SyncProvider } from '../sync/provider';
import { cvLibrary } from './cv-library';
import { erecruiterInhire } from './erecruiter-inhire';
import { lever } from './lever';
import { smartRecruiters } from './smartrecruiters';

/** One entry per provider: what the rest of jobrelay may ask of it. */
export interface ProviderEntry {
  name: string;
  /** The provider's own API origins (https): production first (the default), then documented sandboxes. Others need the operator's leave. */
  origins: readonly string[];
  /** The provider's fake API, mounted under `/<name>` on the sandbox port by `npm start` and the tests. */
  createSandbox?: () => Express;
  /** Set when the provider is a job board jobrelay posts to. */
  board?: BoardEntry;
  /** Set when jobrelay pulls from the provider on a connector's sync loop (its streams, settings, pages). */
  sync?: SyncProvider;
  /** Tables of the provider's own that hold candidates' personal data: exported and erased with the person. */
  personalData?: PersonalDataHolder[];
  /** Set when the connector relays a sourcing tool's candidates into an ATS and syncs the ATS's stages back (with `sync`). */
  relay?: RelayEntry;
  /**
   * Where its people's phones are read when written without their international prefix (a national board, a
   * national tool). Unset: the operator's DEFAULT_PHONE_COUNTRY (an ATS used anywhere).
   */
  phoneCountry?: PhoneCountry;
}

/** The country a provider's phones are read in: its own, else the configured default. */
export function phoneCountryOf(provider: string, fallback: PhoneCountry): PhoneCountry {
  return (Object.hasOwn(providers, provider) && providers[provider].phoneCountry) || fallback;
}

export const providers: Record<string, ProviderEntry> = {
  'cv-library': cvLibrary,
  'erecruiter-inhire': erecruiterInhire,
  lever,
  smartrecruiters: smartRecruiters,
};
