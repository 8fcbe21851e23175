import { z } from 'zod';
import { email, text } from './text';

export const PostingState = z.enum(['pending', 'live', 'expired', 'unposted', 'failed']);
export type PostingState = z.infer<typeof PostingState>;

/** A posting in these states has ended: no workflow keeps it on the board, and it can be posted again (a new cycle). */
export const ENDED_STATES: PostingState[] = ['expired', 'unposted', 'failed'];
export const hasEnded = (state: PostingState) => ENDED_STATES.includes(state);

const optionFields = {
  autoRepost: z.boolean().describe('repost before the board expires the posting, while the job is open'),
  quickApply: z.boolean().describe('false makes a CV mandatory for DirectApply'),
  jobType: text().trim().min(1).optional().describe('the board’s job type, instead of the job status mapping'),
  salaryText: text().trim().min(1).max(200).optional().describe('salary/benefits text shown on the board'),
  postcode: text()
    .trim()
    .min(1)
    .max(20)
    .optional()
    .describe('the postcode on the board, instead of the job’s (e.g. a job synced from an ATS that keeps none)'),
};

/** Per-posting choices and overrides of the job's fields, validated like the job. */
export const PostingOptions = z.object({
  ...optionFields,
  autoRepost: optionFields.autoRepost.default(false),
  quickApply: optionFields.quickApply.default(true),
});
export type PostingOptions = z.infer<typeof PostingOptions>;

/**
 * The options a request names, and only those: defaults are the posting's business, not the request's. An override
 * given as `null` is removed (the job's own field applies again).
 */
const GivenOptions = z
  .object({
    ...optionFields,
    jobType: optionFields.jobType.nullable(),
    salaryText: optionFields.salaryText.nullable(),
    postcode: optionFields.postcode.nullable(),
  })
  .partial();
type GivenOptions = z.infer<typeof GivenOptions>;

/** The posting's options once a request's are applied: named ones change, `null` removes an override, the rest stay. */
export function withGivenOptions(current: Partial<PostingOptions>, given: GivenOptions): PostingOptions {
  const merged: Record<string, unknown> = { ...current, ...given };
  for (const [key, value] of Object.entries(given)) if (value === null) delete merged[key];
  return PostingOptions.parse(merged);
}

export const CreatePosting = GivenOptions.extend({
  board: text().min(1),
  account: email()
    .optional()
    .describe('the recruiter whose own board account posts it (default: the job’s recruiter, or the generic account)'),
});

export const AmendPosting = GivenOptions.strict();

export const Posting = z.object({
  id: text(),
  jobId: text(),
  board: text(),
  account: text(),
  workflowId: text(),
  state: PostingState,
  options: PostingOptions,
  externalId: text().optional(),
  publicUrl: text().optional(),
  postedAt: text().optional(),
  expiresAt: text().optional(),
  repostCount: z.number(),
  lastError: text().optional(),
  createdAt: text(),
  updatedAt: text(),
});
export type Posting = z.infer<typeof Posting>;

export const GENERIC_ACCOUNT = 'generic';

export const postingWorkflowId = (board: string, jobId: string) => `posting:${board}:${jobId}`;

/** What a board says after a job was put live on it. */
export interface Published {
  externalId: string;
  publicUrl: string;
  postedAt: string;
  expiresAt: string;
}

/** What the posting workflow knows of its posting: read from the store by an activity, never a secret. */
export interface PostingSnapshot {
  postingId: string;
  jobId: string;
  /** For operators' summaries (unset in runs recorded before it was added). */
  jobTitle?: string;
  board: string;
  state: PostingState;
  externalId?: string;
  publicUrl?: string;
  postedAt?: string;
  expiresAt?: string;
  repostCount: number;
  autoRepost: boolean;
  /** How long before expiry an automatic repost happens. */
  repostLeadMs: number;
  jobOpen: boolean;
  lastError?: string;
}

/** The workflow's input: ids only. */
export interface PostingInput {
  postingId: string;
  /**
   * Runs started before posting again went through the `pending` state reposted an expired or failed posting first.
   * Kept so those runs replay; new runs find a posting posted again `pending` and publish it.
   */
  repostFirst?: boolean;
  /** Workflow time when the live posting went up; carried across continue-as-new. */
  liveSince?: number;
  /**
   * The posting as the run that continued as new last saw it (ids, states and times, no personal data): the new run
   * starts from it instead of reading it again. Runs continued before it was carried read the posting.
   */
  posting?: PostingSnapshot;
  /** Set when the run that continued as new settled at its due time (`settle-at-due`): this one does too, unasked. */
  settlesAtDue?: boolean;
}
