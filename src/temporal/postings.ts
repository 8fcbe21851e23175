import { type Client, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import { amendUpdate, postingLifecycle, queueUpdate, repostUpdate, statusQuery, unpostUpdate } from '../../workflows/posting-lifecycle';
import { ConflictError } from '../domain/errors';
import type { Posting } from '../domain/posting';
import { Board, JobId, PostingState } from '../domain/search-attributes';
import { postingDetails, postingSummary } from '../domain/workflow-summaries';
import { sendCommand, startOnce } from './workflow-calls';

/** How long a request waits for the run of a posting's last cycle to finish before a new cycle starts. */
const LAST_RUN_GRACE_MS = 30_000;

/**
 * The posting workflow as the API steers it: the only place that talks to Temporal about postings. `jobTitle` looks
 * up the title operators see in the workflow's summary. `eager`: the client shares its connection with a worker on
 * `taskQueue`, so the server may hand a new run's first workflow task straight back in its answer.
 */
export function createPostingWorkflows(
  client: Client,
  taskQueue: string,
  jobTitle: (jobId: string) => Promise<string | undefined> = async () => undefined,
  { eager = false } = {},
) {
  const handle = (posting: Posting) => client.workflow.getHandle(posting.workflowId);

  const start = async (posting: Posting, title?: string) => {
    const about = { postingId: posting.id, jobId: posting.jobId, board: posting.board, jobTitle: title ?? (await jobTitle(posting.jobId)) };
    return client.workflow.start(postingLifecycle, {
      workflowId: posting.workflowId,
      taskQueue,
      args: [{ postingId: posting.id }],
      // A finished posting (expired, failed, unposted) may be started again; a running one is never duplicated.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      requestEagerStart: eager,
      typedSearchAttributes: [
        { key: Board, value: posting.board },
        { key: JobId, value: posting.jobId },
        { key: PostingState, value: posting.state },
      ],
      staticSummary: postingSummary(about),
      staticDetails: postingDetails(about),
      // The memo outlives continue-as-new (the summary and details do not); the workflow keeps it current.
      memo: { summary: postingSummary(about) },
    });
  };

  /** A refused command is a ConflictError naming why. */
  const command = <T>(send: () => Promise<T>) => sendCommand(send, 'the posting’s workflow is not running');

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
    /** Starts the posting's workflow; a start for a running one is a no-op. `title`: the job's, when the caller has it. */
    start: (posting: Posting, title?: string): Promise<void> => startOnce(() => start(posting, title)),

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
      if (!done) throw new ConflictError('the posting’s workflow is still finishing its last cycle: try again shortly');
    },

    amend: (posting: Posting) => command(() => handle(posting).executeUpdate(amendUpdate)),
    unpost: (posting: Posting, reason: string) => command(() => handle(posting).executeUpdate(unpostUpdate, { args: [reason] })),
    repost: (posting: Posting) => command(() => handle(posting).executeUpdate(repostUpdate)),

    /** Hands a command to the workflow, which accepts or refuses it at once and carries it out in turn (a pending posting's once the publish ends). */
    async queue(posting: Posting, order: { kind: 'amend' } | { kind: 'unpost'; reason: string }): Promise<void> {
      await command(() =>
        handle(posting).executeUpdate(queueUpdate, { args: [order.kind, order.kind === 'unpost' ? order.reason : undefined] }),
      );
    },

    status: (posting: Posting) => handle(posting).query(statusQuery),
  };
}

export type PostingWorkflows = ReturnType<typeof createPostingWorkflows>;
