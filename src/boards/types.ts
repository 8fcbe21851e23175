import type { ZodType } from 'zod';
import type { CandidateFields } from '../domain/candidate';
import type { Job } from '../domain/job';
import type { PostingOptions, Published } from '../domain/posting';
import type { Delivery } from '../intake/delivery';
import type { OriginPolicy } from '../providers/origins';

/** What every board's settings share; each board's zod schema adds its own fields. */
export interface BoardSettingsBase {
  enabled: boolean;
  genericAccount: boolean;
  expiryDays: number;
  repostLeadDays: number;
  /** The board's API base; unset: its production API. */
  baseUrl?: string;
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

/** What the intake route knows of a delivery request before reading its body. */
export interface DeliveryRequest {
  /** The URL carries the token `directApplyUrl` derived for its posting (src/intake/delivery-url.ts). */
  postingTokenValid: boolean;
  header(name: string): string | undefined;
}

/**
 * How a board delivers applications to us (its webhook). The route, the intake rules and the intake activities are
 * generic over this; the board says only what is its own.
 */
export interface BoardIntake {
  /** The webhook's summary in the API docs. */
  summary: string;
  /** What the board POSTs for one application, parsed into its id, its CV and the fields to stage (invalid: 400). */
  delivery: ZodType<Delivery>;
  /** The staged fields read back: the person as the board describes them, and when they applied (unset: when we received it). */
  application: ZodType<{ candidate: CandidateFields; appliedAt?: string }>;
  /** Where its applicants come from, as recruiters know it: each application's referrer. */
  referrer: string;
  /** Whether a request is the board's, decided before its body is read (false: 401). */
  authenticate(request: DeliveryRequest): boolean;
}

/** A job board's entry in the provider registry. */
export interface BoardEntry<S extends BoardSettingsBase = BoardSettingsBase, A extends BoardAccountBase = BoardAccountBase> {
  /** The settings a PUT takes: the credentials may be left out to keep the stored ones. */
  settingsSchema: ZodType<Omit<S, 'credentials'> & { credentials?: S['credentials'] }>;
  accountSchema: ZodType<A>;
  /** Why this job cannot be posted with these settings and options; empty when it can. */
  problems(job: Job, settings: S, options: PostingOptions): string[];
  /** Why this account cannot post (the board's own, used by the generic account, when `account` is undefined); empty when it can. */
  accountProblems(settings: S, account?: A): string[];
  /** Whether the settings give this job status (a job's `employmentStatus`) a job type on the board. */
  mapsJobStatus(settings: S, employmentStatus: string): boolean;
  /** The client for a posting: the recruiter's own account, or the board's (generic) one when `account` is undefined. */
  connect(settings: S, account: A | undefined, origins: OriginPolicy): BoardClient;
  /** Set when the board delivers applications to us. */
  intake?: BoardIntake;
}

/** A job the board cannot take as it stands (e.g. an unmapped job type): not retried, shown to the operator. */
export class JobNotPostableError extends Error {
  override name = 'JobNotPostableError';
}
