import { z } from 'zod';
import { httpUrl, text } from '../../domain/text';
import { refineRegex } from '../../sync/classify';

export const LEVER_PRODUCTION_URL = 'https://api.lever.co/v1';
/** Lever's API origins: global, EU, and the documented sandbox (shared/providers/lever-smartrecruiters.md). */
export const LEVER_ORIGINS = ['https://api.lever.co', 'https://api.eu.lever.co', 'https://api.sandbox.lever.co'] as const;

const regex = text().min(1).max(500).superRefine(refineRegex);
const startDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const minutes = z
  .number()
  .min(1 / 60)
  .max(7 * 24 * 60)
  .default(15);

/** A Lever connector's settings, as the Recruitment Marketing setup form describes them. */
export const LeverSettings = z
  .object({
    baseUrl: httpUrl()
      .default(LEVER_PRODUCTION_URL)
      .describe('Lever v1 API base: production, https://api.sandbox.lever.co/v1, or a test server'),
    companyCode: text()
      .max(100)
      .regex(/^[A-Za-z0-9_-]+$/, 'the site name in jobs.lever.co/<code>')
      .describe('the site name in jobs.lever.co/<code>'),
    postingState: z.enum(['published', 'internal']).describe('published: posted to a job site; internal: posted to none'),
    distributionChannel: z
      .enum(['public', 'internal', 'public-and-internal'])
      .default('public')
      .describe('exact match: only the external site, only the internal one, or both'),
    remote: z
      .object({
        field: z.enum(['location', 'workplaceType']).describe('the Lever field read: categories.location or workplaceType'),
        remoteRegex: regex.optional(),
        hybridRegex: regex.optional(),
      })
      .optional()
      .describe('how remote and hybrid jobs are identified (RE2 syntax, case-insensitive)'),
    hiddenJobs: z
      .object({
        tags: z.array(text().min(1).max(200)).max(200).optional(),
        teams: z.array(text().min(1).max(200)).max(200).optional(),
        departments: z.array(text().min(1).max(200)).max(200).optional(),
      })
      .optional()
      .describe('a job with any of these tags, teams or departments is synced but flagged hidden'),
    syncResumes: z.boolean().default(true),
    importUnknownCandidates: z.boolean().default(true).describe('off: only candidates matching an existing profile by email are updated'),
    includeConfidential: z
      .boolean()
      .default(true)
      .describe('read confidential postings and candidates (the key needs confidential access)'),
    jobsStartDate: startDate
      .optional()
      .describe('read postings changed since this date (ISO 8601); unset = every posting Lever holds now, then changes'),
    candidatesStartDate: startDate
      .optional()
      .describe('read opportunities changed since this date (ISO 8601); unset = only changes from when the connector is created'),
    jobsIntervalMinutes: minutes,
    candidatesIntervalMinutes: minutes,
    pageSize: z.number().int().min(1).max(100).default(100),
    cursorOverlapSeconds: z.number().int().min(0).max(86_400).default(300),
    rateLimit: z
      .object({ perSecond: z.number().positive().max(10_000), burst: z.number().int().min(1).max(10_000) })
      // Just under Lever's documented limit per key (10/s, bursts of 20): pacing at the limit itself meets an
      // occasional 429 from timing jitter between our bucket and Lever's.
      .default({ perSecond: 9, burst: 18 })
      .describe('requests per second and burst; the default stays just under Lever’s limit (10/s, bursts of 20)'),
  })
  .strict();

export const LeverCredentials = z.object({ apiKey: text().min(8).max(200) }).strict();

export type LeverSettings = z.infer<typeof LeverSettings>;
export type LeverCredentials = z.infer<typeof LeverCredentials>;
