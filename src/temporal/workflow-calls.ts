import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConflictError } from '../domain/errors';

// How the Temporal clients (connectors, postings, intake) start and steer their workflows, in one way.

/**
 * Starts a workflow whose id is a business key. A run that already holds the id (or, under the start's reuse
 * policy, a finished one that keeps it) means the work is already Temporal's: resolves either way.
 */
export async function startOnce(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * Sends a command (an update) to a running workflow. One the workflow refuses (its validator, or the command
 * failed), or a workflow that is not running, is a ConflictError saying why; nothing was changed.
 */
export async function sendCommand<T>(send: () => Promise<T>, notRunning: string): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new ConflictError(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) throw new ConflictError(notRunning);
    throw err;
  }
}
