import type { z } from 'zod';
import { HttpError, notFound } from '../api/errors';
import { BoardNotConfiguredError, boardEntry, boards, loadBoard } from '../boards/registry';
import type { Job, JobPatch } from '../domain/job';
import { type AmendPosting, type CreatePosting, GENERIC_ACCOUNT, type Posting, PostingOptions } from '../domain/posting';
import type { Store } from '../store';
import { PostingCommandError, type PostingWorkflows } from '../temporal/postings';

/** Posting a job to a board and steering it; the rules a request must pass before a workflow is involved. */
export function createPostingsService(store: Store, workflows: PostingWorkflows) {
  async function mustGet(id: string): Promise<Posting> {
    const posting = await store.postings.get(id);
    if (!posting) throw notFound('posting');
    return posting;
  }

  async function boardFor(name: string) {
    if (!boardEntry(name)) throw new HttpError(400, `unknown board "${name}"`, { known: Object.keys(boards) });
    try {
      return await loadBoard(store, name);
    } catch (err) {
      if (err instanceof BoardNotConfiguredError) throw new HttpError(422, err.message);
      throw err;
    }
  }

  async function assertPostable(job: Job, boardName: string, options: PostingOptions) {
    const { entry, settings } = await boardFor(boardName);
    const problems = [
      ...(settings.enabled ? [] : [`${boardName} is disabled: live postings stay until unposted, new ones are refused`]),
      ...entry.problems(job, settings, options),
    ];
    if (problems.length)
      throw new HttpError(422, `job ${job.id} cannot be posted to ${boardName}: ${problems.join('; ')}`, {
        problems: [...new Set(problems)],
      });
    return settings;
  }

  async function command<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      if (err instanceof PostingCommandError) throw new HttpError(409, err.message);
      throw err;
    }
  }

  const service = {
    /** Posts the job to the board; the same job and board again returns the existing posting. */
    async request(jobId: string, body: z.infer<typeof CreatePosting>): Promise<{ posting: Posting; created: boolean }> {
      const job = await store.jobs.get(jobId);
      if (!job) throw notFound('job');
      const { board, account: requestedAccount, ...rest } = body;
      const options = PostingOptions.parse(rest);
      const settings = await assertPostable(job, board, options);
      const account = settings.genericAccount ? GENERIC_ACCOUNT : (requestedAccount ?? job.recruiter.email).toLowerCase();
      if (account !== GENERIC_ACCOUNT && !(await store.boards.getAccount(board, account))) {
        throw new HttpError(
          422,
          `${account} has no ${board} account: add it with PUT /v1/boards/${board}/accounts/${account}, or turn on the generic account`,
        );
      }
      const { posting, created } = await store.postings.createOrGet({ jobId, board, account, options });
      if (created) {
        await workflows.start(posting);
        return { posting, created };
      }
      if (posting.state === 'unposted' || posting.state === 'expired' || posting.state === 'failed') {
        await store.postings.setOptions(posting.id, { ...posting.options, ...options });
        await workflows.repost(posting);
        return { posting: await mustGet(posting.id), created: true };
      }
      return { posting, created: false };
    },

    get: mustGet,

    listForJob: (jobId: string) => store.postings.listForJob(jobId),

    /** New options reach the board at once when the posting is live. */
    async amend(id: string, patch: z.infer<typeof AmendPosting>): Promise<Posting> {
      const posting = await mustGet(id);
      const job = await store.jobs.get(posting.jobId);
      if (!job) throw notFound('job');
      const options = PostingOptions.parse({ ...posting.options, ...patch });
      await assertPostable({ ...job, state: 'open' }, posting.board, options);
      await store.postings.setOptions(id, options);
      if (posting.state === 'live') await command(() => workflows.amend(posting));
      return mustGet(id);
    },

    async repost(id: string): Promise<Posting> {
      const posting = await mustGet(id);
      const job = await store.jobs.get(posting.jobId);
      if (job?.state !== 'open') throw new HttpError(409, 'the job is closed: reopen it to repost');
      if (posting.state === 'pending' || posting.state === 'unposted')
        throw new HttpError(409, `cannot repost a posting that is ${posting.state}`);
      await command(() => workflows.repost(posting));
      return mustGet(id);
    },

    /** Takes the posting off the board; unposting twice changes nothing. */
    async unpost(id: string, reason = 'requested'): Promise<Posting> {
      const posting = await mustGet(id);
      if (posting.state === 'unposted') return posting;
      if (await workflows.isRunning(posting)) await command(() => workflows.unpost(posting, reason));
      else await store.postings.markState(id, 'unposted', { kind: 'unposted', key: 'unposted', details: { reason, outcome: 'not-live' } });
      return mustGet(id);
    },

    /** A job edit reaches its live postings; closing the job unposts them. */
    async onJobChanged(job: Job, patch: JobPatch): Promise<void> {
      const postings = await store.postings.listForJob(job.id);
      for (const posting of postings) {
        if (patch.state === 'closed') {
          if (posting.state !== 'unposted') await service.unpost(posting.id, 'job closed');
        } else if (posting.state === 'live' && Object.keys(patch).some((k) => k !== 'state')) {
          await command(() => workflows.amend(posting));
        }
      }
    },
  };
  return service;
}

export type PostingsService = ReturnType<typeof createPostingsService>;
