import type { ZodType } from 'zod';
import type { Job } from '../domain/job';
import type { PostingOptions, Published } from '../domain/posting';

/** What every board's settings share; each board's zod schema adds its own fields. */
export interface BoardSettingsBase {
  enabled: boolean;
  genericAccount: boolean;
  expiryDays: number;
  repostLeadDays: number;
  credentials: unknown;
}

export interface BoardAccountBase {
  credentials: unknown;
}

/** What a job needs on the board beyond its own fields. */
export interface PostingContext {
  /** Unique per live job on the board. */
  reference: string;
  /** Where the board delivers applications (DirectApply). */
  directApplyUrl: string;
  options: PostingOptions;
}

/** A board account's client, credentials resolved. Failures are ApplicationFailures (see providers/errors.ts). */
export interface BoardClient {
  publish(job: Job, ctx: PostingContext): Promise<Published>;
  amend(externalId: string, job: Job, ctx: PostingContext): Promise<Published>;
  remove(externalId: string): Promise<'deleted' | 'already-gone'>;
  testConnection(): Promise<void>;
}

/** A job board's entry in the provider registry. */
export interface BoardEntry<S extends BoardSettingsBase = BoardSettingsBase, A extends BoardAccountBase = BoardAccountBase> {
  settingsSchema: ZodType<S>;
  accountSchema: ZodType<A>;
  /** Why this job cannot be posted with these settings and options; empty when it can. */
  problems(job: Job, settings: S, options: PostingOptions): string[];
  /** Why this account cannot post (the board's own, used by the generic account, when `account` is undefined); empty when it can. */
  accountProblems(settings: S, account?: A): string[];
  /** Whether the settings give this job status (a job's `employmentStatus`) a job type on the board. */
  mapsJobStatus(settings: S, employmentStatus: string): boolean;
  /** The client for a posting: the recruiter's own account, or the board's (generic) one when `account` is undefined. */
  connect(settings: S, account?: A): BoardClient;
}

/** A job the board cannot take as it stands (e.g. an unmapped job type): not retried, shown to the operator. */
export class JobNotPostableError extends Error {
  override name = 'JobNotPostableError';
}
