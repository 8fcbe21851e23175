import type { Deps } from '../src/deps';
import { createPostingActivities } from './postings';

/** Every activity the worker registers, built from the process's dependencies. */
export function createActivities(deps: Deps) {
  return {
    ...createPostingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
