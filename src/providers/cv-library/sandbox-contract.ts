import { z } from 'zod';

// The sandbox's own reading of CV-Library's API, written from shared/providers/cv-library.md and never from the
// client's schemas (./schemas.ts): when our client and this file disagree, a test fails and one of them is wrong.

/** "Job type — only: Permanent, Contract, Temporary, Part time, Apprenticeship." */
const JOB_TYPES = ['Permanent', 'Contract', 'Temporary', 'Part time', 'Apprenticeship'];

/** "Industry — only these 32 … No industry sent → Other." */
const INDUSTRIES = [
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
];

const oneOf = (field: string, values: string[]) =>
  z.string().refine((v) => values.includes(v), {
    error: (issue) => `${field} must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})`,
  });

/**
 * `POST /v2/job/create` and `POST /v2/job/update/{job_id}`, field by field as documented (fields marked `?` there
 * are optional). A field the documentation does not list is refused, so a misspelt field name cannot pass unseen.
 */
export const PostedJob = z.strictObject({
  reference: z.string().min(1),
  title: z.string().min(1),
  description: z.string().min(1),
  job_type: oneOf('job_type', JOB_TYPES),
  industry: oneOf('industry', INDUSTRIES).default('Other'),
  salary_from: z.number().nonnegative().optional(),
  salary_to: z.number().nonnegative().optional(),
  salary_period: z.enum(['annum', 'month', 'day', 'hour']),
  salary_currency: z.string().regex(/^[A-Z]{3}$/, 'a currency code such as GBP'),
  salary_benefits: z.string().optional(),
  town: z.string().min(1),
  county: z.string().optional(),
  postcode: z.string().min(1),
  country: z.string().min(2),
  start_date: z.string().optional(),
  poster_email: z.email(),
  direct_apply_url: z.url(),
  cv_required: z.boolean(),
  duration_days: z.number().int().min(1).max(28),
});
export type PostedJob = z.output<typeof PostedJob>;

/**
 * One DirectApply delivery, POSTed to the job's `direct_apply_url` for each application: the board sends what the
 * candidate's profile holds, so any field but the ids may be absent.
 */
export interface DirectApplyPayload {
  id: string;
  /** Our reference for the job. */
  direct_apply_jobid: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  phone?: string;
  town?: string;
  county?: string;
  postcode?: string;
  applied_at: string;
  job_title?: string;
  cv?: { filename: string; content_type: string; content: string };
}

/** A 422's message: the wrong field, named; a field the documentation does not have comes first (a misspelling). */
export function describeFieldIssue(issues: z.core.$ZodIssue[]): { field: string; message: string } {
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  const field = issue.path.join('.') || 'body';
  if (issue.code === 'unrecognized_keys') return { field: issue.keys[0], message: `${issue.keys.join(', ')}: not a field of a job` };
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return { field, message: `${field} is required` };
  return { field, message: issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}` };
}
