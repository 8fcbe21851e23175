import { z } from 'zod';
import { email, httpUrl, text } from './text';

export const Workplace = z.enum(['onsite', 'hybrid', 'remote']);
export const SalaryPeriod = z.enum(['annum', 'month', 'day', 'hour']);
export const JobState = z.enum(['open', 'closed']);

export const Location = z.object({
  city: text().trim().min(1).max(200),
  region: text().trim().max(200).optional(),
  postcode: text().trim().max(20).optional(),
  country: text().trim().min(2).max(100),
});

export const Salary = z
  .object({
    min: z.number().nonnegative().optional(),
    max: z.number().nonnegative().optional(),
    currency: text().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as GBP'),
    period: SalaryPeriod,
  })
  .refine((s) => s.min === undefined || s.max === undefined || s.min <= s.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

export const Recruiter = z.object({ name: text().trim().min(1).max(200), email: email() });

/** A part of a job ad (e.g. "Requirements"), as the ATS structures it; shown as its own headed section. */
export const JobSection = z.object({
  title: text().trim().min(1).max(200).optional(),
  html: text().min(1).max(100_000),
});

const webUrl = httpUrl();

/** What a client sends to create a job. */
export const JobInput = z.object({
  reference: text().trim().min(1).max(100).optional(),
  title: text().trim().min(1).max(200),
  description: text().min(1).max(100_000).describe('HTML'),
  location: Location,
  workplace: Workplace.default('onsite'),
  salary: Salary.optional(),
  employmentStatus: text().trim().min(1).max(100).describe('our job status, mapped to each board’s job type'),
  category: text().trim().min(1).max(100).optional().describe('mapped to each board’s industry'),
  recruiter: Recruiter,
  state: JobState.default('open'),
  applyUrl: webUrl.optional().describe('where candidates apply (the ATS’s apply page); the careers site’s Apply button'),
  department: text().trim().min(1).max(200).optional(),
  experienceLevel: text().trim().min(1).max(100).optional().describe('seniority as the source names it, e.g. "Mid-Senior Level"'),
  sections: z.array(JobSection).max(30).optional().describe('the description in headed parts; the careers page shows these when set'),
  published: z.boolean().optional().describe('on the careers site (default true) while open and not hidden'),
  hidden: z.boolean().optional().describe('kept off the careers site (default false)'),
});

/** A partial edit; `state: "closed"` unposts every live posting of the job. */
export const JobPatch = JobInput.partial().strict();

export const Job = JobInput.extend({
  id: text(),
  source: text(),
  externalId: text().optional(),
  hidden: z.boolean(),
  published: z.boolean(),
  /** When the job was first posted in its source (the ATS), when it says so. */
  postedAt: text().optional(),
  deletedAt: text().optional().describe('gone at its source (a reconciling sweep found so); kept, unpublished'),
  createdAt: text(),
  updatedAt: text(),
});

export type JobInput = z.infer<typeof JobInput>;
export type JobPatch = z.infer<typeof JobPatch>;
export type Job = z.infer<typeof Job>;

/** `?limit=&cursor=` on every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text().optional(),
});

export const JobListQuery = PageQuery.extend({
  reference: text().optional(),
  state: JobState.optional(),
  source: text().optional(),
});
