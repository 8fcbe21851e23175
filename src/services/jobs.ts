import { ConflictError } from '../domain/errors';
import type { Job, JobInput, JobPatch } from '../domain/job';
import type { Store } from '../store';

/** What a job edit means for the job's postings: checked before it is saved, carried out after. */
export interface JobEditHooks {
  check(job: Job, patch: JobPatch): Promise<void>;
  changed(job: Job, patch: JobPatch): Promise<void>;
}

/** Jobs: our requisitions. A job synced from an ATS belongs to its connector; edits of our own reach their postings. */
export function createJobsService(store: Store, hooks: Partial<JobEditHooks> = {}) {
  /** A synced job is written by its connector's sync only: edited in the ATS, never here. */
  async function assertOurs(job: Job): Promise<void> {
    if (job.source === 'jobrelay') return;
    const connectors = job.externalId ? await store.connectors.thatRead(job.source, 'jobs', job.externalId) : [];
    const by = connectors.length ? ` by connector ${connectors.map((c) => `"${c.name}" (${c.id})`).join(', ')}` : '';
    throw new ConflictError(`job ${job.id} is synced from ${job.source}${by}: edit it in ${job.source}; the sync is its only writer`, {
      source: job.source,
      externalId: job.externalId,
      connectors,
    });
  }

  return {
    create: (input: JobInput) => store.jobs.create(input),
    get: (id: string) => store.jobs.get(id),
    list: store.jobs.list,
    async update(id: string, patch: JobPatch): Promise<Job | undefined> {
      const current = await store.jobs.get(id);
      if (!current) return undefined;
      await assertOurs(current);
      await hooks.check?.(current, patch);
      const job = await store.jobs.update(id, patch);
      if (job) await hooks.changed?.(job, patch);
      return job;
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
