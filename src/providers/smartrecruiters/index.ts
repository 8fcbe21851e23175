import type { ProviderEntry } from '../index';
import { createSmartRecruitersSandbox } from './sandbox';
import { SMARTRECRUITERS_ORIGINS } from './settings';
import { smartRecruitersSync } from './source';

/** SmartRecruiters: jobs (public Posting API) and, with an API key, candidates with statuses and résumés. */
export const smartRecruiters: ProviderEntry = {
  name: 'smartrecruiters',
  origins: SMARTRECRUITERS_ORIGINS,
  createSandbox: () => createSmartRecruitersSandbox(),
  sync: smartRecruitersSync,
};
