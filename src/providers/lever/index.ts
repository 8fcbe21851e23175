import type { ProviderEntry } from '../index';
import { createLeverSandbox } from './sandbox';
import { LEVER_ORIGINS } from './settings';
import { leverSync } from './source';

/** Lever: jobs (postings) and candidates (opportunities, applications, resumes) pulled on the sync loop. */
export const lever: ProviderEntry = {
  name: 'lever',
  origins: LEVER_ORIGINS,
  createSandbox: () => createLeverSandbox(),
  sync: leverSync,
};
