import type { Deps } from '../src/deps';
import { createEventActivities } from './events';
import { createIntakeActivities } from './intake';
import { createPostingActivities } from './postings';
import { createPrivacyActivities } from './privacy';
import { createRelayActivities } from './relay';
import { createSyncActivities } from './sync';

/** Every activity the worker registers, built from the process's dependencies. */
export function createActivities(deps: Deps) {
  return {
    ...createPostingActivities(deps),
    ...createSyncActivities(deps),
    ...createIntakeActivities(deps),
    ...createPrivacyActivities(deps),
    ...createEventActivities(deps),
    ...createRelayActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
