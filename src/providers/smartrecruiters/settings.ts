import { z } from 'zod';
import { httpUrl, text } from '../../domain/text';

export const SMARTRECRUITERS_PRODUCTION_URL = 'https://api.smartrecruiters.com';
/** Where the key may go without the operator's leave (src/providers/origins.ts): the production API only. */
export const SMARTRECRUITERS_ORIGINS = [SMARTRECRUITERS_PRODUCTION_URL] as const;

const startDate = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe('from this date (ISO 8601); unset = only what changes from when the connector is created');
const minutes = z
  .number()
  .min(1 / 60)
  .max(7 * 24 * 60)
  .default(15);
const labels = z.array(text().trim().min(1).max(200)).max(200).optional();
const endpointRate = z.object({ perSecond: z.number().positive().max(10_000), burst: z.number().int().min(1).max(10_000) });

/** A SmartRecruiters connector's settings, as the Recruitment Marketing setup form (seed 001) describes them. */
export const SmartRecruitersSettings = z
  .object({
    baseUrl: httpUrl().default(SMARTRECRUITERS_PRODUCTION_URL).describe('API host: production, or a test server'),
    companyIdentifier: text()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'the identifier after careers.smartrecruiters.com/ (case-sensitive)')
      .max(200)
      .describe('as in careers.smartrecruiters.com/<identifier>; case-sensitive'),
    hiddenJobs: z
      .object({
        departments: labels,
        functions: labels,
        typesOfEmployment: labels,
        experienceLevels: labels,
        countries: labels,
        /** A custom field's label (or id) and the values that hide a job. */
        customFields: z
          .array(z.object({ field: text().trim().min(1).max(200), values: z.array(text().trim().min(1).max(200)).min(1).max(100) }))
          .max(50)
          .optional(),
      })
      .strict()
      .optional()
      .describe('a posting matching any of these (labels or ids, case-insensitive) is synced but flagged hidden'),
    jobsIntervalMinutes: minutes,
    jobAdsRefreshMinutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60)
      .default(60)
      .describe(
        'each job ad is read again at least this often, a share every jobs cycle: an edited job ad does not show in the postings list. 0: only by the daily sweep',
      ),
    candidatesIntervalMinutes: minutes,
    importUnknownCandidates: z.boolean().default(true).describe('off: only candidates matching an existing profile by email are updated'),
    syncResumes: z.boolean().default(true).describe('download the RESUME attachment and store it as the candidate’s CV'),
    syncDocuments: z
      .boolean()
      .default(true)
      .describe('download the candidate’s other attachments (cover letter, …; not photos) and store them as their documents'),
    parseResumes: z
      .boolean()
      .default(false)
      .describe('when SmartRecruiters has no education or experience for a candidate, read them from the résumé (PDF, DOCX)'),
    jobsStartDate: startDate.optional().describe('postings released before this date are not imported'),
    candidatesStartDate: startDate.optional(),
    pageSize: z.number().int().min(1).max(100).default(100),
    cursorOverlapSeconds: z.number().int().min(0).max(86_400).default(300),
    rateLimit: endpointRate
      // Just under SmartRecruiters' documented 10 requests/s per endpoint, so timing jitter meets no 429.
      .default({ perSecond: 9, burst: 9 })
      .describe('requests per second and burst, per endpoint; the default stays just under SmartRecruiters’ limit (10/s per endpoint)'),
  })
  .strict();

/** The API key (`X-SmartToken`) is needed for candidate data only: without it the connector syncs jobs. */
export const SmartRecruitersCredentials = z.object({ apiKey: text().min(8).max(500).optional() }).strict();

export type SmartRecruitersSettings = z.infer<typeof SmartRecruitersSettings>;
export type SmartRecruitersCredentials = z.infer<typeof SmartRecruitersCredentials>;
