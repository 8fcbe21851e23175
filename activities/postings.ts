import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { BoardNotConfiguredError, boardClient, loadBoard } from '../src/boards/registry';
import { type BoardClient, type BoardSettingsBase, JobNotPostableError, type PostingContext } from '../src/boards/types';
import type { Deps } from '../src/deps';
import { POSTING_REJECTED, ProviderErrorType } from '../src/domain/failures';
import type { Job } from '../src/domain/job';
import type { Posting, PostingSnapshot } from '../src/domain/posting';
import { WAKE_EARLY_MS } from '../src/domain/posting-timing';
import { directApplyUrl } from '../src/intake/delivery-url';
import { CredentialsElsewhereError } from '../src/providers/origins';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Waits out the last seconds before a posting's due time (its workflow woke a little early and asked at once). A due
 * time further off than the workflow ever wakes early is on another clock (time skipping in tests): not waited for.
 */
async function untilDue(dueAt: number | undefined): Promise<void> {
  const rest = dueAt === undefined ? 0 : dueAt - Date.now();
  if (rest > 0 && rest <= 2 * WAKE_EARLY_MS) await Context.current().sleep(rest);
}

/**
 * The posting workflow's hands: each reads the posting from the store, does one thing on the board,
 * and writes the outcome back. Each is idempotent: a retry finds the work done and returns it.
 */
export function createPostingActivities({
  store,
  secrets,
  config,
  metrics,
  origins,
}: Pick<Deps, 'store' | 'secrets' | 'config' | 'metrics' | 'origins'>) {
  const count = (posting: Posting, event: string) =>
    metrics.inc('jobrelay_posting_events_total', 'Posting lifecycle events (posted, reposted, amended, unposted, expired, failed)', {
      board: posting.board,
      event,
    });

  async function load(postingId: string): Promise<{ posting: Posting; job: Job }> {
    const posting = await store.postings.get(postingId);
    if (!posting) throw ApplicationFailure.nonRetryable(`posting ${postingId} does not exist`, POSTING_REJECTED);
    const job = await store.jobs.get(posting.jobId);
    if (!job) throw ApplicationFailure.nonRetryable(`job ${posting.jobId} does not exist`, POSTING_REJECTED);
    return { posting, job };
  }

  /** `settings`: the board's, when the caller has just read them. */
  async function snapshot(posting: Posting, job?: Job, settings?: BoardSettingsBase): Promise<PostingSnapshot> {
    const theJob = job ?? (await store.jobs.get(posting.jobId));
    let repostLeadMs = 0;
    try {
      repostLeadMs = (settings ?? (await loadBoard(store, posting.board)).settings).repostLeadDays * DAY_MS;
    } catch (err) {
      // A board no longer set up has no lead time: the posting is reposted at expiry. Anything else is a real fault.
      if (!(err instanceof BoardNotConfiguredError)) throw err;
    }
    return {
      postingId: posting.id,
      jobId: posting.jobId,
      jobTitle: theJob?.title,
      board: posting.board,
      state: posting.state,
      externalId: posting.externalId,
      publicUrl: posting.publicUrl,
      postedAt: posting.postedAt,
      expiresAt: posting.expiresAt,
      repostCount: posting.repostCount,
      autoRepost: posting.options.autoRepost,
      repostLeadMs,
      jobOpen: theJob?.state === 'open',
      lastError: posting.lastError,
    };
  }

  /**
   * The board client for the posting's account. A live posting is steered only on the board origin it went live on
   * (its DirectApply token went there and nowhere else); `publish` (a new cycle, asked for) records the origin it
   * goes to before anything is sent, and says whether the board moved since the last cycle.
   */
  async function client(
    posting: Posting,
    intent: 'publish' | 'steer',
  ): Promise<BoardClient & { moved: boolean; settings: BoardSettingsBase }> {
    try {
      const board = await boardClient(store, posting.board, posting.account, origins);
      const liveOn =
        intent === 'publish'
          ? await store.postings.claimBoardOrigin(posting.id, board.origin)
          : await store.postings.boardOrigin(posting.id);
      const moved = Boolean(liveOn && liveOn !== board.origin);
      if (intent === 'steer' && moved)
        throw new CredentialsElsewhereError(
          `this posting went live on ${liveOn} and the board now points at ${board.origin}: it cannot be changed there; post the job again`,
        );
      return { ...board.client, moved, settings: board.settings };
    } catch (err) {
      if (err instanceof BoardNotConfiguredError) throw ApplicationFailure.nonRetryable(err.message, POSTING_REJECTED);
      if (err instanceof CredentialsElsewhereError) throw ApplicationFailure.nonRetryable(err.message, ProviderErrorType.Auth);
      throw err;
    }
  }

  function context(posting: Posting, repostCount: number): PostingContext {
    return {
      reference: `${posting.id}-${repostCount}`,
      directApplyUrl: directApplyUrl(config.api.publicUrl, posting.board, posting.id, secrets),
      options: posting.options,
    };
  }

  /** Board-side refusals we can name (unmapped job type, missing postcode) are not retried. */
  function rejected(err: unknown): never {
    if (err instanceof JobNotPostableError) {
      throw ApplicationFailure.nonRetryable(err.message, POSTING_REJECTED);
    }
    throw err;
  }

  /** Posts a posting: its first cycle, or a new one after it ended (the board job of the last cycle goes first). */
  async function publish(posting: Posting, job: Job): Promise<PostingSnapshot> {
    const board = await client(posting, 'publish');
    // The last cycle's board job goes first, unless it was left on a board address the board has since moved from.
    if (posting.externalId && !board.moved) await board.remove(posting.externalId);
    const published = await board.publish(job, context(posting, posting.repostCount)).catch(rejected);
    const live = await store.postings.markLive(
      posting.id,
      published,
      posting.repostCount,
      {
        kind: 'posted',
        key: `posted:${posting.repostCount}`,
        details: {
          externalId: published.externalId,
          expiresAt: published.expiresAt,
          ...(posting.externalId && { previousExternalId: posting.externalId }),
        },
      },
      job,
    );
    count(live, 'posted');
    return snapshot(live, job, board.settings);
  }

  /** Deletes the posting's board job and posts it again for a fresh expiry. */
  async function repost(posting: Posting, job: Job, fromRepostCount: number, reason: 'auto' | 'requested'): Promise<PostingSnapshot> {
    const board = await client(posting, 'steer');
    if (posting.externalId) await board.remove(posting.externalId);
    const next = fromRepostCount + 1;
    const published = await board.publish(job, context(posting, next)).catch(rejected);
    const live = await store.postings.markLive(
      posting.id,
      published,
      next,
      {
        kind: 'reposted',
        key: `reposted:${next}`,
        details: { reason, previousExternalId: posting.externalId, externalId: published.externalId, expiresAt: published.expiresAt },
      },
      job,
    );
    count(live, 'reposted');
    return snapshot(live, job, board.settings);
  }

  async function expire(posting: Posting, job: Job): Promise<PostingSnapshot> {
    const expired = await store.postings.markState(
      posting.id,
      'expired',
      { kind: 'expired', key: `expired:${posting.repostCount}`, details: { expiresAt: posting.expiresAt } },
      undefined,
      job,
    );
    count(expired, 'expired');
    return snapshot(expired, job);
  }

  return {
    async loadPosting(postingId: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      return snapshot(posting, job);
    },

    /** The posting, posted first when it is pending (a run started to post it reads and posts in one step). */
    async openPosting(postingId: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      return posting.state === 'pending' ? publish(posting, job) : snapshot(posting, job);
    },

    async publishPosting(postingId: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      return posting.state === 'live' ? snapshot(posting, job) : publish(posting, job);
    },

    /** Delete and post again for a fresh expiry; `fromRepostCount` makes a retry after success a no-op. */
    async repostPosting(postingId: string, fromRepostCount: number, reason: 'auto' | 'requested'): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      if (posting.repostCount > fromRepostCount) return snapshot(posting, job);
      return repost(posting, job, fromRepostCount, reason);
    },

    /**
     * At a live posting's due time (`dueAt`, waited for here when the workflow asked a few seconds before it), read in
     * the same step: reposted when auto-repost is on and its job open, else expired once `pastExpiry` (the workflow's
     * clock says the board's expiry has passed by then), else left as it is. A retry after either finds it done
     * (`fromRepostCount`, the state) and returns it.
     */
    async settlePosting(postingId: string, fromRepostCount: number, pastExpiry: boolean, dueAt?: number): Promise<PostingSnapshot> {
      await untilDue(dueAt);
      const { posting, job } = await load(postingId);
      if (posting.state !== 'live' || posting.repostCount > fromRepostCount) return snapshot(posting, job);
      if (posting.options.autoRepost && job.state === 'open') return repost(posting, job, fromRepostCount, 'auto');
      return pastExpiry ? expire(posting, job) : snapshot(posting, job);
    },

    /** Sends the job's current fields (and the posting's options) to the board. */
    async amendPosting(postingId: string, key: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      if (posting.state !== 'live' || !posting.externalId) return snapshot(posting, job);
      const published = await (await client(posting, 'steer'))
        .amend(posting.externalId, job, context(posting, posting.repostCount))
        .catch(rejected);
      const amended = await store.postings.markLive(
        posting.id,
        { ...published, postedAt: posting.postedAt ?? published.postedAt },
        posting.repostCount,
        {
          kind: 'amended',
          key,
          details: { title: job.title },
        },
      );
      count(amended, 'amended');
      return snapshot(amended, job);
    },

    async unpostPosting(postingId: string, reason: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      if (posting.state === 'unposted') return snapshot(posting, job);
      const outcome =
        posting.externalId && posting.state === 'live' ? await (await client(posting, 'steer')).remove(posting.externalId) : 'not-posted';
      const unposted = await store.postings.markState(posting.id, 'unposted', {
        kind: 'unposted',
        key: `unposted:${posting.repostCount}`,
        details: { reason, outcome },
      });
      count(unposted, 'unposted');
      return snapshot(unposted, job);
    },

    async expirePosting(postingId: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      return posting.state === 'live' ? expire(posting, job) : snapshot(posting, job);
    },

    async failPosting(postingId: string, message: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      const failed = await store.postings.markState(
        posting.id,
        'failed',
        { kind: 'failed', key: `failed:${posting.repostCount}:${posting.state}`, details: { message } },
        message,
      );
      count(failed, 'failed');
      return snapshot(failed, job);
    },

    /** Keeps the posting's state and records why the last command failed, for the operator. */
    async recordPostingError(postingId: string, message: string): Promise<PostingSnapshot> {
      const { posting, job } = await load(postingId);
      const updated = await store.postings.markState(
        posting.id,
        posting.state,
        { kind: 'error', key: `error:${Date.now()}`, details: { message } },
        message,
      );
      return snapshot(updated, job);
    },
  };
}

export type PostingActivities = ReturnType<typeof createPostingActivities>;
