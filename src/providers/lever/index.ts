import type { ProviderEntry } from '../index';
import { createLeverSandbox } from './sandbox';
import { leverSync } from './source';

/** Lever: jobs (postings) and candidates (opportunities, applications, resumes) pulled on the sync loop. */
export const lever: ProviderEntry = {
  name: 'lever',
  createSandbox: () => createLeverSandbox(),
  sync: leverSync,
};
