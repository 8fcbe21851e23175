import type { z } from 'zod';
import { BoardNotConfiguredError, boardEntry, boards, loadBoard } from '../boards/registry';
import type { BoardAccountBase } from '../boards/types';
import { ConflictError, InvalidError, notFound, RefusedError } from '../domain/errors';
import type { Job, JobPatch } from '../domain/job';
import {
  type AmendPosting,
  type CreatePosting,
  GENERIC_ACCOUNT,
  hasEnded,
  type Posting,
  type PostingOptions,
  withGivenOptions,
} from '../domain/posting';
import type { Store } from '../store';
import type { PostingWorkflows } from '../temporal/postings';

type LoadedBoard = Awaited<ReturnType<typeof loadBoard>>;

/** Posting a job to a board and steering it; the rules a request must pass before a workflow is involved. */
export function createPostingsService(store: Store, workflows: PostingWorkflows) {
  async function mustGet(id: string): Promise<Posting> {
    const posting = await store.postings.get(id);
    if (!posting) throw notFound('posting');
    return posting;
  }

  async function mustGetJob(id: string): Promise<Job> {
    const job = await store.jobs.get(id);
    if (!job) throw notFound('job');
    return job;
  }

  async function boardFor(name: string) {
    if (!boardEntry(name)) throw new InvalidError(`unknown board "${name}"`, { known: Object.keys(boards) });
    try {
      return await loadBoard(store, name);
    } catch (err) {
      if (err instanceof BoardNotConfiguredError) throw new RefusedError(err.message);
      throw err;
    }
  }

  /** Everything that stops this job from being posted from this account with these options: 422 naming each. */
  async function assertPostable(job: Job, boardName: string, account: string, options: PostingOptions, board?: LoadedBoard) {
    const { entry, settings } = board ?? (await boardFor(boardName));
    let own: BoardAccountBase | undefined;
    if (account !== GENERIC_ACCOUNT) {
      const stored = await store.boards.getAccount<object, unknown>(boardName, account);
      if (!stored)
        throw new RefusedError(
          `${account} has no ${boardName} account: add it with PUT /v1/boards/${boardName}/accounts/${account}, or turn on the generic account`,
        );
      own = { ...stored.settings, credentials: stored.credentials };
    }
    const problems = [
      ...(settings.enabled ? [] : [`${boardName} is disabled: live postings stay until unposted, new ones are refused`]),
      ...entry.problems(job, settings, options),
      ...entry.accountProblems(settings, own),
    ];
    if (problems.length)
      throw new RefusedError(`job ${job.id} cannot be posted to ${boardName}: ${problems.join('; ')}`, {
        problems: [...new Set(problems)],
      });
  }

  /**
   * A live posting's command is carried out before the answer, unless `wait` is off. A pending one's is handed to its
   * workflow, which runs it once the publish in flight ends (the answer is then 202). A refused command is a ConflictError.
   */
  function steer(posting: Posting, order: { kind: 'amend' } | { kind: 'unpost'; reason: string }, wait = true): Promise<unknown> {
    if (posting.state === 'pending' || !wait) return workflows.queue(posting, order);
    return order.kind === 'amend' ? workflows.amend(posting) : workflows.unpost(posting, order.reason);
  }

  /** A new cycle of a posting that ended: pending again, and a new run posts it (a new board job, a fresh expiry). */
  async function postAgain(posting: Posting, options: PostingOptions): Promise<{ posting: Posting; created: boolean }> {
    await workflows.awaitEnd(posting);
    const again = await store.postings.postAgain(posting.id, options);
    if (!again) return { posting: await mustGet(posting.id), created: false }; // another request started it
    await workflows.start(again);
    return { posting: again, created: true };
  }

  /**
   * A request for a posting that exists stays on its account; while the posting is pending or live it must also ask
   * for the options it has (new ones go through PATCH).
   */
  function assertSameRequest(posting: Posting, account: string | undefined, given: z.infer<typeof AmendPosting>) {
    const differ: string[] = hasEnded(posting.state)
      ? []
      : (Object.keys(given) as Array<keyof PostingOptions>).filter(
          (k) => given[k] !== undefined && (given[k] ?? undefined) !== posting.options[k],
        );
    if (account && account !== posting.account) differ.push('account');
    if (!differ.length) return;
    const fix = differ.includes('account')
      ? 'a posting stays on the account it was made with'
      : `change options with PATCH /v1/postings/${posting.id}`;
    throw new ConflictError(
      `job ${posting.jobId} already has posting ${posting.id} on ${posting.board} (${posting.state}) with another ${differ.join(', ')}: ${fix}`,
    );
  }

  const service = {
    /**
     * Posts the job to the board. The same job and board again returns the posting while it is pending or live, and
     * posts it again once it has ended (expired, unposted, failed).
     */
    async request(jobId: string, body: z.infer<typeof CreatePosting>): Promise<{ posting: Posting; created: boolean }> {
      const job = await mustGetJob(jobId);
      const { board, account: requestedAccount, ...given } = body;
      const loaded = await boardFor(board);
      const { settings } = loaded;
      const account = settings.genericAccount ? GENERIC_ACCOUNT : (requestedAccount ?? job.recruiter.email).toLowerCase();
      const existing = (await store.postings.listForJob(jobId)).find((p) => p.board === board);

      if (existing) assertSameRequest(existing, requestedAccount && account, given);
      if (existing && !hasEnded(existing.state)) {
        if (existing.state === 'pending') await workflows.start(existing); // its run, should an earlier start have failed
        return { posting: existing, created: false };
      }
      const options = withGivenOptions(existing?.options ?? {}, given);
      await assertPostable(job, board, existing?.account ?? account, options, loaded);
      if (existing) return postAgain(existing, options);
      const { posting, created } = await store.postings.createOrGet({ jobId, board, account, options });
      if (created) await workflows.start(posting, job.title);
      return { posting, created };
    },

    get: mustGet,

    listForJob: (jobId: string) => store.postings.listForJob(jobId),

    /** New options reach the board at once when the posting is live, and once it is when it is pending. */
    async amend(id: string, patch: z.infer<typeof AmendPosting>): Promise<Posting> {
      const posting = await mustGet(id);
      if (hasEnded(posting.state))
        throw new ConflictError(
          `the posting is ${posting.state}: nothing of it is on the board to amend; post it again with these options (POST /v1/jobs/${posting.jobId}/postings)`,
        );
      const job = await mustGetJob(posting.jobId);
      const options = withGivenOptions(posting.options, patch);
      await assertPostable(job, posting.board, posting.account, options);
      await store.postings.setOptions(id, options);
      try {
        await steer(posting, { kind: 'amend' });
      } catch (err) {
        await store.postings.setOptions(id, posting.options); // refused: nothing changes
        throw err;
      }
      return mustGet(id);
    },

    /** A live posting is reposted at once (a new board job, a fresh expiry); one that ended is posted again. */
    async repost(id: string): Promise<{ posting: Posting; created: boolean }> {
      const posting = await mustGet(id);
      const job = await mustGetJob(posting.jobId);
      if (job.state !== 'open') throw new ConflictError('the job is closed: reopen it to repost');
      if (!hasEnded(posting.state)) {
        await workflows.repost(posting); // the workflow refuses a pending posting
        return { posting: await mustGet(id), created: false };
      }
      await assertPostable(job, posting.board, posting.account, posting.options);
      return postAgain(posting, posting.options);
    },

    /** Takes the posting off the board; unposting twice changes nothing. */
    async unpost(id: string, reason = 'requested', wait = true): Promise<Posting> {
      const posting = await mustGet(id);
      if (posting.state === 'unposted') return posting;
      try {
        if (await workflows.isRunning(posting)) {
          await steer(posting, { kind: 'unpost', reason }, wait);
          return mustGet(id);
        }
      } catch (err) {
        // The run ended between the check and the command (it had just failed or expired): no workflow steers it now.
        if (!(err instanceof ConflictError) || (await workflows.isRunning(posting))) throw err;
      }
      const ended = await mustGet(id);
      if (ended.state === 'unposted') return ended;
      await store.postings.markState(id, 'unposted', {
        kind: 'unposted',
        key: `unposted:${posting.repostCount}`,
        details: { reason, outcome: 'not-live' },
      });
      return mustGet(id);
    },

    /** Refuses (422) a job edit that a live or pending posting could not carry to its board, before anything is saved. */
    async checkJobEdit(job: Job, patch: JobPatch): Promise<void> {
      const edited = { ...job, ...patch };
      if (edited.state !== 'open' || Object.keys(patch).every((k) => k === 'state')) return;
      for (const posting of await store.postings.listForJob(job.id)) {
        if (posting.state !== 'live' && posting.state !== 'pending') continue;
        const { entry, settings } = await boardFor(posting.board);
        const problems = entry.problems(edited, settings, posting.options);
        if (problems.length)
          throw new RefusedError(
            `the ${posting.board} posting ${posting.id} could not carry this edit to the board: ${problems.join('; ')}`,
            { problems },
          );
      }
    },

    /**
     * A job edit reaches its live and pending postings; closing the job unposts them. The answer does not wait for the
     * boards: the workflows carry the change out, and a failure shows on the posting. A posting that refuses the
     * command (it is being unposted) needs nothing more.
     */
    async onJobChanged(job: Job, patch: JobPatch): Promise<void> {
      const closed = patch.state === 'closed';
      const edited = Object.keys(patch).some((k) => k !== 'state');
      for (const posting of await store.postings.listForJob(job.id)) {
        try {
          if (closed) await service.unpost(posting.id, 'job closed', false);
          else if (edited && (posting.state === 'live' || posting.state === 'pending')) await steer(posting, { kind: 'amend' }, false);
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
    },
  };
  return service;
}

export type PostingsService = ReturnType<typeof createPostingsService>;
