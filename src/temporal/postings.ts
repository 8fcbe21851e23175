import { type Client, WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { amendUpdate, postingLifecycle, queueUpdate, repostUpdate, statusQuery, unpostUpdate } from '../../workflows/posting-lifecycle';
import type { Posting, PostingSnapshot } from '../domain/posting';
import { Board, JobId, PostingState } from './search-attributes';

export class PostingCommandError extends Error {}

/** How long a request waits for the run of a posting's last cycle to finish before a new cycle starts. */
const LAST_RUN_GRACE_MS = 30_000;

/** The posting workflow as the API steers it: the only place that talks to Temporal about postings. */
export function createPostingWorkflows(client: Client, taskQueue: string) {
  const handle = (posting: Posting) => client.workflow.getHandle(posting.workflowId);

  const start = (posting: Posting) =>
    client.workflow.start(postingLifecycle, {
      workflowId: posting.workflowId,
      taskQueue,
      args: [{ postingId: posting.id }],
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

  async function isRunning(posting: Posting): Promise<boolean> {
    try {
      const { status } = await handle(posting).describe();
      return status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
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

    isRunning,

    /**
     * Waits for the run of a posting that has just ended (it records the end, then finishes its last commands), so a
     * new cycle gets a run of its own. Refuses when that run is still busy after a grace period.
     */
    async awaitEnd(posting: Posting): Promise<void> {
      if (!(await isRunning(posting))) return;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), LAST_RUN_GRACE_MS);
      });
      const ended = handle(posting)
        .result()
        .then(
          () => true,
          () => true,
        );
      const done = await Promise.race([ended, grace]).finally(() => clearTimeout(timer));
      if (!done) throw new PostingCommandError('the posting’s workflow is still finishing its last cycle: try again shortly');
    },

    amend: (posting: Posting) => update(posting, amendUpdate.name, []),
    unpost: (posting: Posting, reason: string) => update(posting, unpostUpdate.name, [reason]),
    repost: (posting: Posting) => update(posting, repostUpdate.name, []),

    /** Hands a command to the workflow, which accepts or refuses it at once and carries it out in turn (a pending posting's once the publish ends). */
    async queue(posting: Posting, command: { kind: 'amend' } | { kind: 'unpost'; reason: string }): Promise<void> {
      try {
        await handle(posting).executeUpdate(queueUpdate, { args: [command.kind, command.kind === 'unpost' ? command.reason : undefined] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw new PostingCommandError(err.cause?.message ?? err.message);
        throw err;
      }
    },

    status: (posting: Posting) => handle(posting).query(statusQuery),
  };
}

export type PostingWorkflows = ReturnType<typeof createPostingWorkflows>;
