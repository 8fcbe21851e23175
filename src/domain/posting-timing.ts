/**
 * A posting's workflow wakes this long before its due time and then waits out the rest: Temporal starts a timer when the
 * workflow task that set it completes, so the wake is late only by the task that set its timer, not by one taken when
 * the worker was busy (posting many at once) weeks before. The workflow and the activity that settles the posting at
 * its due time both go by it; free of Node and zod, so workflow code imports it.
 */
export const WAKE_EARLY_MS = 5_000;
