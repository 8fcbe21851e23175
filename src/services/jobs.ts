import type { Job, JobInput, JobPatch } from '../domain/job';
import type { Store } from '../store';

/** Jobs: our requisitions. Edits are propagated to the job's postings by the hooks given. */
export function createJobsService(store: Store, onChanged: (job: Job, patch: JobPatch) => Promise<void> = async () => {}) {
  return {
    create: (input: JobInput) => store.jobs.create(input),
    get: (id: string) => store.jobs.get(id),
    list: store.jobs.list,
    async update(id: string, patch: JobPatch): Promise<Job | undefined> {
      const job = await store.jobs.update(id, patch);
      if (job) await onChanged(job, patch);
      return job;
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
