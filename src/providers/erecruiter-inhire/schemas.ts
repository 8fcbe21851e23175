import { z } from 'zod';

// What eRecruiter and inhire return, as far as jobrelay reads them (unknown fields ignored). eRecruiter's ids are
// read as strings whatever their JSON type; its collections come bare or wrapped in an object.

const id = z.union([z.number(), z.string().min(1)]).transform(String);
/** An ISO 8601 time, normalised to UTC; one without an offset is read as UTC (assumed: the docs do not say). */
const time = z
  .string()
  .transform((s) => (/(Z|[+-]\d\d:?\d\d)$/i.test(s) ? s : `${s}Z`))
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date-time')
  .transform((s) => new Date(s).toISOString());

/** A collection eRecruiter may answer bare (`[...]`) or wrapped (`{"<key>": [...]}`). */
export function collection<T extends z.ZodType>(key: string, item: T) {
  return z.union([z.array(item), z.object({ [key]: z.array(item) }).transform((o) => o[key] as Array<z.output<T>>)]);
}

export const ErecruiterError = z.array(
  z.object({ message: z.string().nullish(), errorCode: z.string().nullish(), modelType: z.string().nullish() }),
);

export const ErecruiterCompany = z.object({ id, name: z.string().default('') });
export const ErecruiterStage = z.object({ id, name: z.string(), isDefault: z.boolean().default(false) });
export const ErecruiterOrigin = z.object({ id, name: z.string().default('') });
export const ErecruiterRecruitment = z.object({
  id,
  name: z.string().default(''),
  status: z.string().nullish(),
  partnerEnabled: z.boolean().default(false),
});
export const ErecruiterApplication = z.object({
  id,
  candidateId: id.nullish(),
  externalId: z.string().nullish(),
  originId: id.nullish(),
  createdAt: time,
  stageId: id.nullish(),
});
export const ErecruiterStageChange = z.object({ stageId: id, changedAt: time });
export const ErecruiterApplicationCreated = z.object({ candidateApplicationId: id, candidateId: id.nullish() });

export const Companies = collection('companies', ErecruiterCompany);
export const Stages = collection('stages', ErecruiterStage);
export const Origins = collection('origins', ErecruiterOrigin);
export const Recruitments = collection('recruitments', ErecruiterRecruitment);
export const Applications = collection('candidateApplications', ErecruiterApplication);
export const StagesHistory = collection('stagesHistory', ErecruiterStageChange);

export const InhireCandidate = z.object({
  id,
  firstName: z.string().default(''),
  lastName: z.string().default(''),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  offerId: id.nullish(),
  atsRecruitmentId: id,
  cvUrl: z.string().nullish(),
  updatedAt: time,
});
export const InhireCandidatesPage = z.object({ data: z.array(InhireCandidate), next_cursor: z.string().nullish() });
export const InhireError = z.object({ error: z.string().optional() });

export type ErecruiterStage = z.output<typeof ErecruiterStage>;
export type ErecruiterRecruitment = z.output<typeof ErecruiterRecruitment>;
export type ErecruiterApplication = z.output<typeof ErecruiterApplication>;
export type ErecruiterStageChange = z.output<typeof ErecruiterStageChange>;
export type InhireCandidate = z.output<typeof InhireCandidate>;
