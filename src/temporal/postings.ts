import { type Client, WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { amendUpdate, postingLifecycle, repostUpdate, statusQuery, unpostUpdate } from '../../workflows/posting-lifecycle';
import type { Posting, PostingSnapshot } from '../domain/posting';
import { Board, JobId, PostingState } from './search-attributes';

export class PostingCommandError extends Error {}

/** The posting workflow as the API steers it: the only place that talks to Temporal about postings. */
export function createPostingWorkflows(client: Client, taskQueue: string) {
  const handle = (posting: Posting) => client.workflow.getHandle(posting.workflowId);

  const start = (posting: Posting, repostFirst?: boolean) =>
    client.workflow.start(postingLifecycle, {
      workflowId: posting.workflowId,
      taskQueue,
      args: [{ postingId: posting.id, repostFirst }],
      // A finished posting (expired, failed, unposted) may be started again; a running one is never duplicated.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [
        { key: Board, value: posting.board },
        { key: JobId, value: posting.jobId },
        { key: PostingState, value: posting.state },
      ],
      staticSummary: `${posting.board} posting of job ${posting.jobId}`,
    });

  async function update(posting: Posting, name: string, args: unknown[]): Promise<PostingSnapshot> {
    try {
      return await handle(posting).executeUpdate<PostingSnapshot, [unknown, ...unknown[]]>(name, { args: args as [unknown, ...unknown[]] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new PostingCommandError(err.cause?.message ?? err.message);
      throw err;
    }
  }

  return {
    /** Starts the posting's workflow; a start for a running one is a no-op. */
    async start(posting: Posting): Promise<void> {
      try {
        await start(posting);
      } catch (err) {
        if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
      }
    },

    async isRunning(posting: Posting): Promise<boolean> {
      try {
        const { status } = await handle(posting).describe();
        return status.name === 'RUNNING';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    amend: (posting: Posting) => update(posting, amendUpdate.name, []),
    unpost: (posting: Posting, reason: string) => update(posting, unpostUpdate.name, [reason]),

    /** A live posting's workflow reposts it; an expired or failed one gets a new run that reposts first. */
    async repost(posting: Posting): Promise<PostingSnapshot | undefined> {
      if (await this.isRunning(posting)) return update(posting, repostUpdate.name, []);
      await start(posting, true);
      return undefined;
    },

    status: (posting: Posting) => handle(posting).query(statusQuery),
  };
}

export type PostingWorkflows = ReturnType<typeof createPostingWorkflows>;
