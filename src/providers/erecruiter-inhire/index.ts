import type { ProviderEntry } from '../index';
import { erecruiterInhireRelay } from './relay';
import { createPairSandbox } from './sandbox';
import { PAIR_ORIGINS } from './settings';
import { erecruiterInhireSync } from './source';

/**
 * eRecruiter.pl ↔ inhire (seed 004): candidates inhire sourced are delivered into eRecruiter recruitments, and
 * eRecruiter's stage changes go back to inhire once a day.
 */
export const erecruiterInhire: ProviderEntry = {
  name: 'erecruiter-inhire',
  origins: PAIR_ORIGINS,
  createSandbox: createPairSandbox,
  sync: erecruiterInhireSync,
  relay: erecruiterInhireRelay,
  // Both are Polish: inhire may give `600 100 200` for +48 600 100 200.
  phoneCountry: 'PL',
};
