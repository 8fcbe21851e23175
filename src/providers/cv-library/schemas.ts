import { z } from 'zod';
import { base64File, email, httpUrl, text } from '../../domain/text';

/** CV-Library's job types: the only values its API accepts. */
export const JOB_TYPES = ['Permanent', 'Contract', 'Temporary', 'Part time', 'Apprenticeship'] as const;

/** CV-Library's industries: the only values its API accepts; a job sent without one is posted under `Other`. */
export const INDUSTRIES = [
  'Accounting/Financial/Insurance',
  'Administration',
  'Agriculture',
  'Arts/Graphic Design',
  'Automotive/Aerospace',
  'Catering',
  'Charity',
  'Construction',
  'Consulting',
  'Customer Services',
  'Distribution',
  'Education',
  'Electronics',
  'Engineering',
  'Hospitality/Hotel',
  'IT',
  'Legal',
  'Leisure/Tourism',
  'Management',
  'Manufacturing/Surveying',
  'Marketing',
  'Media',
  'Medical/Pharmaceutical/Scientific',
  'Military/Emergency/Government',
  'Personnel/Recruitment',
  'Property Services',
  'Public Sector',
  'Retail/Purchasing',
  'Sales',
  'Social Care',
  'Telecoms',
  'Other',
] as const;

export const SALARY_PERIODS = ['annum', 'month', 'day', 'hour'] as const;
export const JOB_STATUSES = ['live', 'expired', 'deleted'] as const;

export type JobType = (typeof JOB_TYPES)[number];
export type Industry = (typeof INDUSTRIES)[number];

const oneOf = <T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, { error: (issue) => `${what} must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})` });

export const JobTypeEnum = oneOf('job type', JOB_TYPES);
export const IndustryEnum = oneOf('industry', INDUSTRIES);

/** A job id travels as a number or a string; we keep it as a string. */
const JobId = z.union([text().min(1).max(100), z.number().int()]).transform(String);
const Timestamp = text()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a timestamp');

/** The job we send to `POST /v2/job/create` and `POST /v2/job/update/{job_id}`. */
export const CvLibraryJob = z.object({
  reference: text().min(1).max(100),
  title: text().min(1).max(200),
  description: text().min(1).describe('HTML'),
  job_type: JobTypeEnum,
  industry: IndustryEnum,
  salary_from: z.number().nonnegative().optional(),
  salary_to: z.number().nonnegative().optional(),
  salary_period: oneOf('salary period', SALARY_PERIODS),
  salary_currency: text().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as GBP'),
  salary_benefits: text().max(500).optional(),
  town: text().min(1),
  county: text().optional(),
  postcode: text().min(1),
  country: text().min(2),
  start_date: text().optional(),
  poster_email: email(),
  direct_apply_url: httpUrl(),
  cv_required: z.boolean(),
  duration_days: z.number().int().min(1).max(28),
});
export type CvLibraryJob = z.infer<typeof CvLibraryJob>;

/** The answer to create and update. */
export const CvLibraryPublishedAnswer = z.object({ job_id: JobId, url: httpUrl(), expires_at: Timestamp });

/** The answer to `GET /v2/job/{job_id}`: the job as the board holds it. */
export const CvLibraryJobAnswer = CvLibraryJob.partial().extend({
  job_id: JobId,
  reference: text(),
  url: httpUrl(),
  expires_at: Timestamp,
  status: z.enum(JOB_STATUSES),
});
export type CvLibraryJobAnswer = z.infer<typeof CvLibraryJobAnswer>;

/** The answer to `GET /v2/jobs`: the account's live jobs. */
export const CvLibraryJobList = z.object({ jobs: z.array(CvLibraryJobAnswer) });

/** Every error answer. */
export const CvLibraryError = z.object({ error: text(), message: text() });

/** A 409 on create also names the live job holding the reference (assumed contract). */
export const CvLibraryConflict = CvLibraryError.extend({ job_id: JobId.optional() });

export const CvLibraryToken = z.object({ access_token: text().min(1), expires_in: z.number().positive() });

/**
 * What DirectApply POSTs to a job's `direct_apply_url` for each application (assumed, Resume-Library shape). The seed
 * lists the fields DirectApply *can* give: a candidate's profile may lack any of them, so each may be missing, empty
 * or null. What identifies the application (its id, our reference, a name) is required by the intake (./intake.ts).
 */
// Every field has a maximum, checked before anything is staged (400): what passes fits the store's columns and indexes.
export const CvLibraryApplication = z.object({
  id: JobId,
  direct_apply_jobid: text().min(1).max(200).describe('our reference'),
  first_name: text().max(200).nullish(),
  last_name: text().max(200).nullish(),
  email: text().max(254).nullish(),
  phone: text().max(50).nullish(),
  town: text().max(200).nullish(),
  county: text().max(200).nullish(),
  postcode: text().max(20).nullish(),
  applied_at: Timestamp.refine(
    (s) => Number.isNaN(Date.parse(s)) || Math.abs(new Date(s).getUTCFullYear() - 2000) < 200,
    'not a plausible date',
  ).nullish(),
  job_title: text().max(500).nullish(),
  cv: z.object({ filename: text().min(1).max(255), content_type: text().min(1).max(200), content: base64File() }).nullish(),
});
export type CvLibraryApplication = z.infer<typeof CvLibraryApplication>;
