import { type Selectable, sql } from 'kysely';
import { newId } from '../domain/ids';
import { ENDED_STATES, type Posting, type PostingOptions, type PostingState, type Published, postingWorkflowId } from '../domain/posting';
import type { Db } from './db';
import { raisePostingEvent } from './events';
import { anyOf } from './json-rows';
import type { PostingsTable } from './schema';

export interface PostingEvent {
  kind: string;
  key: string;
  details?: Record<string, unknown>;
}

/** A board posting (live or pending) of a job its source ended: closed, no longer published, or gone. */
export interface EndedJobPosting {
  workflowId: string;
  jobClosed: boolean;
  jobGone: boolean;
}

export function createPostingsRepository(db: Db) {
  const livePostingsOfSourceJobs = (source: string) =>
    db
      .selectFrom('postings')
      .innerJoin('jobs', 'jobs.id', 'postings.job_id')
      .select(['postings.workflow_id', 'jobs.state', 'jobs.deleted_at'])
      .where('jobs.source', '=', source)
      .where('postings.state', 'in', ['live', 'pending'])
      .orderBy('postings.created_at');
  const toEndedJobPosting = (r: { workflow_id: string; state: string; deleted_at: Date | null }): EndedJobPosting => ({
    workflowId: r.workflow_id,
    jobClosed: r.state === 'closed',
    jobGone: r.deleted_at !== null,
  });

  const repo = {
    /** The job's posting on the board: created once; a second request returns the first. */
    async createOrGet(input: {
      jobId: string;
      board: string;
      account: string;
      options: PostingOptions;
    }): Promise<{ posting: Posting; created: boolean }> {
      const inserted = await db
        .insertInto('postings')
        .values({
          id: newId('post'),
          job_id: input.jobId,
          board: input.board,
          account: input.account,
          workflow_id: postingWorkflowId(input.board, input.jobId),
          state: 'pending',
          options: JSON.stringify(input.options),
        })
        .onConflict((oc) => oc.columns(['board', 'job_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { posting: toPosting(inserted), created: true };
      const existing = await db
        .selectFrom('postings')
        .selectAll()
        .where('board', '=', input.board)
        .where('job_id', '=', input.jobId)
        .executeTakeFirstOrThrow();
      return { posting: toPosting(existing), created: false };
    },

    /** The board origin the posting went (or goes) live on: its DirectApply token is sent nowhere else. */
    async boardOrigin(id: string): Promise<string | undefined> {
      const row = await db.selectFrom('postings').select('board_origin').where('id', '=', id).executeTakeFirst();
      return row?.board_origin ?? undefined;
    },

    /** Records the origin a new cycle goes live on, in one statement; answers the one the last cycle went live on. */
    async claimBoardOrigin(id: string, origin: string): Promise<string | undefined> {
      const { rows } = await sql<{ previous: string | null }>`
        update postings p set board_origin = ${origin}
        from (select id, board_origin from postings where id = ${id} for update) before_row
        where p.id = before_row.id
        returning before_row.board_origin as previous
      `.execute(db);
      return rows[0]?.previous ?? undefined;
    },

    async get(id: string): Promise<Posting | undefined> {
      const row = await db.selectFrom('postings').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPosting(row);
    },

    async listForJob(jobId: string): Promise<Posting[]> {
      const rows = await db.selectFrom('postings').selectAll().where('job_id', '=', jobId).orderBy('created_at').execute();
      return rows.map(toPosting);
    },

    /**
     * The live and pending postings of these jobs pulled from `source` (by their external ids) that are closed there
     * or no longer published: what a sync takes off the boards.
     */
    async liveOfEndedSourceJobs(source: string, externalIds: string[]): Promise<EndedJobPosting[]> {
      if (externalIds.length === 0) return [];
      const rows = await livePostingsOfSourceJobs(source)
        .where('jobs.external_id', '=', anyOf(externalIds))
        .where((eb) => eb.or([eb('jobs.state', '=', 'closed'), eb('jobs.published', '=', false)]))
        .execute();
      return rows.map(toEndedJobPosting);
    },

    /** The live and pending postings of jobs pulled from `source` that a complete listing found gone there. */
    async liveOfGoneSourceJobs(source: string): Promise<EndedJobPosting[]> {
      const rows = await livePostingsOfSourceJobs(source).where('jobs.deleted_at', 'is not', null).execute();
      return rows.map(toEndedJobPosting);
    },

    async setOptions(id: string, options: PostingOptions): Promise<void> {
      await db
        .updateTable('postings')
        .set({ options: JSON.stringify(options), updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Starts a new cycle of a posting that ended (expired, unposted, failed): pending again with these options, its
     * repost count one up (a new reference on the board, a new entry in its history). Undefined when it had not ended,
     * so two requests at once start one cycle.
     */
    async postAgain(id: string, options: PostingOptions): Promise<Posting | undefined> {
      const row = await db
        .updateTable('postings')
        .set((eb) => ({
          state: 'pending',
          options: JSON.stringify(options),
          repost_count: eb('repost_count', '+', 1),
          last_error: null,
          updated_at: new Date(),
        }))
        .where('id', '=', id)
        .where('state', 'in', ENDED_STATES)
        .returningAll()
        .executeTakeFirst();
      return row && toPosting(row);
    },

    /** `job`, when the caller has read it, spares reading its title for the event raised. */
    async markLive(id: string, published: Published, repostCount: number, event: PostingEvent, job?: { title: string }): Promise<Posting> {
      return repo.transition(
        id,
        {
          state: 'live',
          external_id: published.externalId,
          public_url: published.publicUrl,
          posted_at: published.postedAt,
          expires_at: published.expiresAt,
          repost_count: repostCount,
          last_error: null,
        },
        event,
        job,
      );
    },

    async markState(id: string, state: PostingState, event: PostingEvent, lastError?: string, job?: { title: string }): Promise<Posting> {
      return repo.transition(id, { state, ...(lastError !== undefined ? { last_error: lastError } : {}) }, event, job);
    },

    async recordEvent(id: string, event: PostingEvent): Promise<void> {
      await db
        .insertInto('posting_events')
        .values({ posting_id: id, kind: event.kind, key: event.key, details: JSON.stringify(event.details ?? {}) })
        .onConflict((oc) => oc.columns(['posting_id', 'key']).doNothing())
        .execute();
    },

    async events(id: string): Promise<Array<{ kind: string; at: string; details: Record<string, unknown> }>> {
      const rows = await db
        .selectFrom('posting_events')
        .select(['kind', 'at', 'details'])
        .where('posting_id', '=', id)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ kind: r.kind, at: r.at.toISOString(), details: r.details }));
    },

    async transition(
      id: string,
      columns: Partial<Record<keyof PostingsTable, unknown>>,
      event: PostingEvent,
      job?: { title: string },
    ): Promise<Posting> {
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .updateTable('postings')
          .set({ ...(columns as object), updated_at: new Date() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('posting_events')
          .values({ posting_id: id, kind: event.kind, key: event.key, details: JSON.stringify(event.details ?? {}) })
          .onConflict((oc) => oc.columns(['posting_id', 'key']).doNothing())
          .execute();
        const posting = toPosting(row);
        await raisePostingEvent(tx, posting, event.kind, job);
        return posting;
      });
    },
  };
  return repo;
}

export type PostingsRepository = ReturnType<typeof createPostingsRepository>;

function toPosting(row: Selectable<PostingsTable>): Posting {
  return {
    id: row.id,
    jobId: row.job_id,
    board: row.board,
    account: row.account,
    workflowId: row.workflow_id,
    state: row.state as PostingState,
    options: row.options as PostingOptions,
    externalId: row.external_id ?? undefined,
    publicUrl: row.public_url ?? undefined,
    postedAt: row.posted_at?.toISOString(),
    expiresAt: row.expires_at?.toISOString(),
    repostCount: row.repost_count,
    lastError: row.last_error ?? undefined,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
