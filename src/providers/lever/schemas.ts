import { z } from 'zod';

// What Lever's v1 API returns, as far as jobrelay reads it. Lever adds fields without a version change,
// so every object ignores unknown keys (zod's default) and most fields are optional.

const ms = z.number().int();
const text = z.string().nullish();

export const LeverError = z.object({ code: z.string().optional(), message: z.string().optional() });

export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), hasNext: z.boolean().default(false), next: z.string().nullish() });
}

export const LeverPosting = z.object({
  id: z.string(),
  text: z.string().default(''),
  createdAt: ms.optional(),
  updatedAt: ms,
  user: text,
  /** A user id, or the user with `expand=owner`. */
  owner: z.union([z.string(), z.object({ id: z.string(), name: text, email: text })]).nullish(),
  hiringManager: z.union([z.string(), z.object({ id: z.string(), name: text, email: text })]).nullish(),
  confidentiality: z.string().optional(),
  categories: z
    .object({
      team: text,
      department: text,
      location: text,
      allLocations: z.array(z.string()).nullish(),
      commitment: text,
      level: text,
    })
    .default({}),
  content: z
    .object({
      description: text,
      descriptionHtml: text,
      lists: z.array(z.object({ text: z.string().default(''), content: z.string().default('') })).nullish(),
      closing: text,
      closingHtml: text,
    })
    .nullish(),
  country: text,
  tags: z.array(z.string()).default([]),
  state: z.string(),
  distributionChannels: z.array(z.string()).nullish(),
  reqCode: text,
  salaryDescription: text,
  salaryRange: z.object({ min: z.number().nullish(), max: z.number().nullish(), currency: text, interval: text }).nullish(),
  urls: z.object({ list: text, show: text, apply: text }).partial().nullish(),
  workplaceType: text,
});

const IdOrObject = z.union([z.string(), z.object({ id: z.string(), text: z.string().optional() })]);

export const LeverApplication = z.object({
  id: z.string(),
  type: text,
  opportunityId: text,
  posting: text,
  createdAt: ms.optional(),
  archived: z.object({ reason: text, archivedAt: ms.nullish() }).nullish(),
});

export const LeverOpportunity = z.object({
  id: z.string(),
  name: z.string().default(''),
  headline: text,
  contact: z.string(),
  emails: z.array(z.string()).default([]),
  phones: z.array(z.object({ type: text, value: z.string() })).default([]),
  confidentiality: z.string().optional(),
  location: text,
  links: z.array(z.string()).default([]),
  archived: z.object({ reason: text, archivedAt: ms.nullish() }).nullish(),
  createdAt: ms.optional(),
  updatedAt: ms,
  stage: IdOrObject.nullish(),
  tags: z.array(z.string()).default([]),
  sources: z.array(z.string()).default([]),
  origin: text,
  /** Ids, or objects with `expand=applications`. */
  applications: z.array(z.union([z.string(), LeverApplication])).default([]),
});

const YearMonth = z.object({ year: z.number().nullish(), month: z.number().nullish() }).partial().nullish();

export const LeverResume = z.object({
  id: z.string(),
  createdAt: ms.optional(),
  file: z
    .object({
      name: z.string().default('resume'),
      ext: text,
      downloadUrl: text,
      uploadedAt: ms.nullish(),
      status: text,
      size: z.number().nullish(),
    })
    .nullish(),
  parsedData: z
    .object({
      positions: z.array(z.object({ org: text, title: text, summary: text, location: text, start: YearMonth, end: YearMonth })).nullish(),
      schools: z.array(z.object({ org: text, degree: text, field: text, summary: text, start: YearMonth, end: YearMonth })).nullish(),
    })
    .nullish(),
});

export const LeverArchiveReason = z.object({ id: z.string(), text: z.string().default(''), status: text, type: text });
export const LeverStage = z.object({ id: z.string(), text: z.string().default('') });

export type LeverPosting = z.infer<typeof LeverPosting>;
export type LeverOpportunity = z.infer<typeof LeverOpportunity>;
export type LeverApplication = z.infer<typeof LeverApplication>;
export type LeverResume = z.infer<typeof LeverResume>;
export type LeverArchiveReason = z.infer<typeof LeverArchiveReason>;
export interface LeverPage<T> {
  data: T[];
  hasNext: boolean;
  next?: string | null;
}
