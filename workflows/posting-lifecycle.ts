import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PostingActivities } from '../activities/postings';
import { POSTING_REJECTED, PROVIDER_NEEDS_PERSON } from '../src/domain/failures';
import type { PostingInput, PostingSnapshot } from '../src/domain/posting';
import { Board, ExpiresAt, JobId, PostingState } from '../src/domain/search-attributes';
import { postingState, postingSummary } from '../src/domain/workflow-summaries';
import { type Command, type CommandKind, PostingMachine, QUEUED_KINDS, type QueuedKind } from './posting-machine';

export const amendUpdate = defineUpdate<PostingSnapshot>('amend');
export const repostUpdate = defineUpdate<PostingSnapshot>('repost');
export const unpostUpdate = defineUpdate<PostingSnapshot, [reason: string]>('unpost');
/** Takes an amend or unpost and answers at once, as soon as it is accepted; it is carried out in turn (a pending posting's once the publish ends). */
export const queueUpdate = defineUpdate<PostingSnapshot, [kind: QueuedKind, reason?: string]>('queue');
/** Signals do the same as the updates, for operators in the Temporal UI or CLI. */
export const repostSignal = defineSignal('repostSignal');
export const unpostSignal = defineSignal<[reason?: string]>('unpostSignal');
export const statusQuery = defineQuery<PostingSnapshot>('status');

/** Runs recorded before the memo was kept replay without it. */
const OPERATOR_MEMO = 'operator-memo';
/** Runs recorded before a new posting was read and published in one activity replay the two. */
const PUBLISH_ON_OPEN = 'publish-on-open';
/**
 * One patch, asked for once a run, for what runs recorded before it did otherwise: publish on open and keep the memo
 * (their own patches no longer asked for), read and act in one activity at the due time, count the lifetime from the
 * board's answer however late the workflow saw it, and hand the posting to the run continued as new (which then needs
 * no patch: the posting in its input says it is lean).
 */
const LEAN_RUN = 'lean-run';
/**
 * A lean run woken a few seconds before its due time settles the posting in a local activity that waits out the rest:
 * the wake is the only workflow task on the due time's path (no second timer, no activity task and the workflow task
 * it answers), which a busy worker and server made late.
 */
const SETTLE_AT_DUE = 'settle-at-due';

const BOARD_CALLS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  // Provider faults (429, 5xx, timeouts) are ridden out for about half an hour; auth and validation faults fail at once.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 20,
    nonRetryableErrorTypes: [...PROVIDER_NEEDS_PERSON, POSTING_REJECTED],
  },
};
const board = proxyActivities<PostingActivities>(BOARD_CALLS);
/** Settling at the due time, in the wake's workflow task (a retry's wait longer than a task may last becomes a timer). */
const boardAtDue = proxyLocalActivities<PostingActivities>(BOARD_CALLS);

/** A job's life on one board: post it, keep it live through the board's expiry, amend, repost and unpost it on request. */
export async function postingLifecycle(input: PostingInput): Promise<PostingSnapshot> {
  const posting = new PostingMachine(input.liveSince, input.posting !== undefined || patched(LEAN_RUN));
  registerHandlers(posting); // before the first await, so no update that arrives with the start is refused
  // A run the API started (not one continued as new) is there to post its pending posting: one activity reads and posts it.
  const started = input.liveSince === undefined && !input.repostFirst;
  let settlesAtDue = input.settlesAtDue === true;
  const settleAtDue = () => {
    settlesAtDue ||= posting.lean && patched(SETTLE_AT_DUE);
    return settlesAtDue;
  };
  if (input.posting) {
    // Continued as new by a lean run: the posting, search attributes and memo came with it.
    posting.load(input.posting);
    setCurrentDetails(summaryOf(posting));
  } else if (started && (posting.lean || patched(PUBLISH_ON_OPEN))) await open(posting, input.postingId);
  else {
    posting.load(await board.loadPosting(input.postingId));
    publishVisibility(posting);
    // A posting posted for the first time, or again after it ended, is pending.
    if (posting.state === 'pending') await attempt(posting, () => board.publishPosting(input.postingId), 'publish');
    else if (input.repostFirst && (posting.state === 'expired' || posting.state === 'failed')) await repost(posting, 'requested');
  }

  while (posting.isLive) {
    const commanded = await condition(() => posting.hasCommand, posting.msUntilWake(Date.now()));
    if (commanded) await run(posting, posting.nextCommand()!);
    else if (settleAtDue()) await settle(posting, 'waiting for the due time');
    // Woken early, runs recorded before it waited out the rest with a second timer (earlier runs were never woken early).
    else if (posting.msUntilDue(Date.now()) > 0) continue;
    else if (posting.lean) await settle(posting, 'at once');
    else await onDue(posting);
    if (posting.isLive && !posting.hasCommand && (posting.cycleEnded || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      return continueAsNewFrom(posting, input.postingId, settlesAtDue);
    }
  }
  // Commands that arrived as the posting ended (e.g. unpost after expiry) are still carried out.
  while (posting.hasCommand) await run(posting, posting.nextCommand()!);
  await condition(allHandlersFinished);
  return posting.current;
}

/**
 * Reads the posting and, when it is pending, posts it, in one activity; a failure the provider will not get over
 * leaves it `failed`. As after a publish, its lifetime counts from the board's answer or when the workflow saw it live.
 */
async function open(posting: PostingMachine, postingId: string): Promise<void> {
  posting.assume('pending');
  const askedAt = Date.now();
  try {
    posting.update(await board.openPosting(postingId), Date.now(), askedAt);
  } catch (err) {
    posting.update(await board.failPosting(postingId, `publish failed: ${reasonOf(err)}`), Date.now());
  }
  publishVisibility(posting);
}

/**
 * At the due time (a lean run), one activity reads the posting and reposts or expires it, or leaves it live when its
 * job closed before the expiry: a local one waiting for the due time in the task at the wake (`settle-at-due`), or,
 * in runs recorded before it, one asked for at the due time. A failed repost leaves the posting `failed` with the
 * reason; a fault of the expiry fails the run.
 */
async function settle(posting: PostingMachine, when: 'waiting for the due time' | 'at once'): Promise<void> {
  const { postingId, repostCount, state, expiresAt } = posting.current;
  const askedAt = Date.now();
  const waiting = when === 'waiting for the due time';
  const actAt = waiting ? Math.max(askedAt, posting.dueAt() ?? askedAt) : askedAt;
  try {
    const pastExpiry = posting.isPastExpiry(actAt);
    if (waiting) posting.updateAfterWaiting(await boardAtDue.settlePosting(postingId, repostCount, pastExpiry, actAt), askedAt, actAt);
    else posting.update(await board.settlePosting(postingId, repostCount, pastExpiry), Date.now(), askedAt);
  } catch (err) {
    if (posting.decideWhenDue(actAt) !== 'repost') throw err;
    posting.update(await board.failPosting(postingId, `repost failed: ${reasonOf(err)}`), Date.now());
  }
  // Left live to wait for its expiry, it shows nothing new.
  if (posting.state !== state || posting.current.expiresAt !== expiresAt) publishVisibility(posting);
  posting.cycleEnded = posting.isLive && posting.current.repostCount > repostCount;
}

/** A lean run hands its posting and memo to the next run, which then reads and upserts nothing to begin. */
function continueAsNewFrom(posting: PostingMachine, postingId: string, settlesAtDue: boolean): Promise<never> {
  const { liveSince } = posting;
  if (!posting.lean) return makeContinueAsNewFunc<typeof postingLifecycle>()({ postingId, liveSince });
  const next = makeContinueAsNewFunc<typeof postingLifecycle>({ memo: { summary: summaryOf(posting) } });
  return next({ postingId, liveSince, posting: { ...posting.current }, ...(settlesAtDue && { settlesAtDue }) });
}

async function onDue(posting: PostingMachine): Promise<void> {
  posting.update(await board.loadPosting(posting.current.postingId), Date.now());
  const decision = posting.decideWhenDue(Date.now());
  if (decision === 'repost') await repost(posting, 'auto');
  else if (decision === 'expire') await apply(posting, board.expirePosting(posting.current.postingId));
}

async function repost(posting: PostingMachine, reason: 'auto' | 'requested'): Promise<void> {
  const { postingId, repostCount } = posting.current;
  await attempt(posting, () => board.repostPosting(postingId, repostCount, reason), 'repost');
  posting.cycleEnded = posting.isLive;
}

async function run(posting: PostingMachine, command: Command): Promise<void> {
  const { postingId } = posting.current;
  try {
    posting.check(command.kind);
  } catch (err) {
    posting.finish(command, (err as Error).message);
    return;
  }
  try {
    if (command.kind === 'repost') {
      await repost(posting, 'requested');
      posting.finish(command, posting.state === 'failed' ? posting.current.lastError : undefined);
      return;
    }
    if (command.kind === 'amend') await apply(posting, board.amendPosting(postingId, `amend:${workflowInfo().runId}:${command.id}`));
    else await apply(posting, board.unpostPosting(postingId, command.reason ?? 'requested'));
    posting.finish(command);
  } catch (err) {
    const message = `${command.kind} failed: ${reasonOf(err)}`;
    posting.update(await board.recordPostingError(postingId, message), Date.now());
    posting.finish(command, message);
  }
}

/** Publishing or reposting: a failure the provider will not get over (auth, validation) leaves the posting `failed` with the reason. */
async function attempt(posting: PostingMachine, action: () => Promise<PostingSnapshot>, what: string): Promise<void> {
  try {
    await apply(posting, action());
  } catch (err) {
    await apply(posting, board.failPosting(posting.current.postingId, `${what} failed: ${reasonOf(err)}`));
  }
}

async function apply(posting: PostingMachine, next: Promise<PostingSnapshot>): Promise<void> {
  const askedAt = Date.now(); // the same activation that scheduled `next`
  posting.update(await next, Date.now(), askedAt);
  publishVisibility(posting);
}

function registerHandlers(posting: PostingMachine): void {
  const handle = (kind: CommandKind) => async (reason?: string) => {
    const command = posting.enqueue(kind, reason);
    await condition(() => command.done);
    if (command.error) throw ApplicationFailure.create({ message: command.error, type: 'PostingCommandFailed', nonRetryable: true });
    return posting.current;
  };
  const validator = (kind: CommandKind) => (_reason?: string) => posting.validate(kind);
  setHandler(amendUpdate, handle('amend'), { validator: validator('amend') });
  setHandler(repostUpdate, handle('repost'), { validator: validator('repost') });
  setHandler(unpostUpdate, handle('unpost'), { validator: validator('unpost') });
  setHandler(
    queueUpdate,
    (kind, reason) => {
      posting.enqueue(kind, reason);
      return posting.status as PostingSnapshot;
    },
    {
      validator: (kind: QueuedKind, _reason?: string) => {
        if (!QUEUED_KINDS.includes(kind)) throw new Error(`only ${QUEUED_KINDS.join(' and ')} can be queued`);
        posting.validate(kind);
      },
    },
  );
  setHandler(repostSignal, () => ifAccepted(posting, 'repost'));
  setHandler(unpostSignal, (reason) => ifAccepted(posting, 'unpost', reason ?? 'operator'));
  setHandler(statusQuery, () => posting.status as PostingSnapshot);
}

function ifAccepted(posting: PostingMachine, kind: CommandKind, reason?: string): void {
  try {
    posting.validate(kind);
    posting.enqueue(kind, reason);
  } catch {
    // A signal cannot be refused; one that makes no sense in this state is ignored.
  }
}

/** What operators see of the posting: search attributes, the current details and the memo (no personal data). */
function publishVisibility(posting: PostingMachine): void {
  const { board: boardName, jobId, state, expiresAt } = posting.current;
  const summary = summaryOf(posting);
  setCurrentDetails(summary);
  if (workflowInfo().memo?.summary !== summary && (posting.lean || patched(OPERATOR_MEMO))) upsertMemo({ summary });
  upsertSearchAttributes([
    { key: Board, value: boardName },
    { key: JobId, value: jobId },
    { key: PostingState, value: state },
    { key: ExpiresAt, value: expiresAt ? new Date(expiresAt) : null },
  ]);
}

function summaryOf(posting: PostingMachine): string {
  return `${postingSummary(posting.current)}, ${postingState(posting.current)}`;
}

function reasonOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
