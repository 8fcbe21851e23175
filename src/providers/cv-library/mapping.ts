import { JobNotPostableError } from '../../boards/types';
import type { Job } from '../../domain/job';
import { type CvLibraryJob, INDUSTRIES, type Industry, JOB_TYPES, type JobType } from './schemas';

export interface CvLibraryMappingContext {
  jobTypeMapping: Record<string, JobType>;
  industryMapping: Record<string, Industry>;
  /** Unique per live job on the board; DirectApply sends it back as `direct_apply_jobid`. */
  reference: string;
  posterEmail: string;
  directApplyUrl: string;
  /** Quick apply lets a candidate apply without a CV; off makes the CV mandatory. */
  quickApply: boolean;
  expiryDays: number;
  overrides?: { jobType?: string; salaryText?: string; postcode?: string };
}

/**
 * A job CV-Library cannot take as it stands. Its `name` is the Temporal failure type when an
 * activity throws it, so retry policies can list it as non-retryable.
 */
export class NotPostableError extends JobNotPostableError {
  override name = 'NotPostableError';
}

export class UnmappedJobTypeError extends NotPostableError {
  override name = 'UnmappedJobTypeError';
  constructor(
    readonly value: string,
    kind: 'employment status' | 'job type override' = 'employment status',
  ) {
    super(
      kind === 'employment status'
        ? `employment status "${value}" has no CV-Library job type: map it to one of ${JOB_TYPES.join(', ')}`
        : `job type override "${value}" is not a CV-Library job type: use one of ${JOB_TYPES.join(', ')}`,
    );
  }
}

/** Our Job → the job CV-Library takes. Throws UnmappedJobTypeError or NotPostableError; `checkPostable` says so in advance. */
export function toCvLibraryJob(job: Job, ctx: CvLibraryMappingContext): CvLibraryJob {
  const postcode = postcodeOf(job, ctx.overrides);
  if (!postcode) throw new NotPostableError(missingPostcode);
  const { salary } = job;
  return {
    reference: ctx.reference,
    title: job.title,
    description: job.description,
    job_type: jobTypeFor(job.employmentStatus, ctx.jobTypeMapping, ctx.overrides?.jobType),
    industry: industryFor(job.category, ctx.industryMapping),
    ...(salary?.min !== undefined && { salary_from: salary.min }),
    ...(salary?.max !== undefined && { salary_to: salary.max }),
    salary_period: salary?.period ?? 'annum',
    salary_currency: salary?.currency ?? 'GBP',
    ...(ctx.overrides?.salaryText && { salary_benefits: ctx.overrides.salaryText }),
    town: job.location.city,
    ...(job.location.region && { county: job.location.region }),
    postcode,
    country: job.location.country,
    poster_email: ctx.posterEmail,
    direct_apply_url: ctx.directApplyUrl,
    cv_required: !ctx.quickApply,
    duration_days: ctx.expiryDays,
  };
}

/**
 * What stops this job from being posted with these settings, in words for the person who can fix it.
 * Empty when it can be posted. Lets the API answer 422 before starting a workflow.
 */
export function checkPostable(
  job: Job,
  settings: { jobTypeMapping: Record<string, string> },
  overrides: { jobType?: string; postcode?: string } = {},
): string[] {
  // A disabled board is every board's rule: the postings service says so once.
  const problems: string[] = [];
  if (job.state !== 'open') problems.push('the job is closed');
  try {
    jobTypeFor(job.employmentStatus, settings.jobTypeMapping as Record<string, JobType>, overrides.jobType);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (!postcodeOf(job, overrides)) problems.push(missingPostcode);
  return problems;
}

const missingPostcode = 'the job has no postcode: CV-Library requires one (the job’s location.postcode, or the posting’s postcode option)';

/** The posting's own postcode, else the job's. */
const postcodeOf = (job: Job, overrides?: { postcode?: string }) => overrides?.postcode?.trim() || job.location.postcode?.trim();

function jobTypeFor(employmentStatus: string, mapping: Record<string, JobType>, override?: string): JobType {
  if (override !== undefined) {
    if (!isJobType(override)) throw new UnmappedJobTypeError(override, 'job type override');
    return override;
  }
  const mapped = mappedJobType(mapping, employmentStatus);
  if (!mapped) throw new UnmappedJobTypeError(employmentStatus);
  return mapped;
}

/** The CV-Library job type our employment status maps to, if any. */
export function mappedJobType(mapping: Record<string, string>, employmentStatus: string): JobType | undefined {
  const mapped = mappedValue(mapping, employmentStatus);
  return mapped && isJobType(mapped) ? mapped : undefined;
}

function industryFor(category: string | undefined, mapping: Record<string, Industry>): Industry {
  const mapped = category ? mappedValue(mapping, category) : undefined;
  return mapped && isIndustry(mapped) ? mapped : 'Other';
}

/**
 * A mapping's value for a job's status or category: its own key, else one written in another case or spacing
 * ("Full-time" from an ATS under a "full-time" mapping is the same status).
 */
function mappedValue(mapping: Record<string, string>, key: string): string | undefined {
  if (Object.hasOwn(mapping, key)) return mapping[key];
  const wanted = key.trim().toLowerCase();
  const match = Object.keys(mapping).find((k) => k.trim().toLowerCase() === wanted);
  return match === undefined ? undefined : mapping[match];
}

const isJobType = (value: string): value is JobType => (JOB_TYPES as readonly string[]).includes(value);
const isIndustry = (value: string): value is Industry => (INDUSTRIES as readonly string[]).includes(value);
