import type { SyncProvider } from '../../sync/provider';
import { createLeverSandbox } from './sandbox';
import { LeverCredentials, LeverSettings } from './settings';
import { openLeverSource } from './source';

const MINUTE = 60_000;

export const leverSync: SyncProvider<LeverSettings, LeverCredentials> = {
  settings: LeverSettings,
  credentials: LeverCredentials,
  streams: (s) => [
    {
      name: 'jobs',
      intervalMs: s.jobsIntervalMinutes * MINUTE,
      startAt: dateMs(s.jobsStartDate),
      overlapMs: s.cursorOverlapSeconds * 1000,
    },
    {
      name: 'candidates',
      intervalMs: s.candidatesIntervalMinutes * MINUTE,
      startAt: dateMs(s.candidatesStartDate),
      overlapMs: s.cursorOverlapSeconds * 1000,
    },
  ],
  rateLimit: (s) => s.rateLimit,
  maskCredentials: (c) => ({ apiKey: `••••${c.apiKey.slice(-4)}` }),
  open: openLeverSource,
};

/** Lever: jobs (postings) and candidates (opportunities, applications, resumes) pulled on the sync loop. */
export const lever = {
  name: 'lever',
  createSandbox: () => createLeverSandbox(),
  sync: leverSync,
};

function dateMs(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}
