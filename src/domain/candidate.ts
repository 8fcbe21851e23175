import { z } from 'zod';

export const CandidateLocation = z.object({
  town: z.string().optional(),
  county: z.string().optional(),
  postcode: z.string().optional(),
  city: z.string().optional(),
  region: z.string().optional(),
  country: z.string().optional(),
});

export const CandidateSource = z.object({
  provider: z.string(),
  externalId: z.string(),
  referrer: z.string().optional(),
  firstSeenAt: z.string(),
});

export const DocumentInfo = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number(),
  sha256: z.string(),
});

export const Candidate = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().optional(),
  phone: z.string().optional(),
  location: CandidateLocation,
  education: z.array(z.record(z.string(), z.unknown())),
  experience: z.array(z.record(z.string(), z.unknown())),
  sources: z.array(CandidateSource),
  documents: z.array(DocumentInfo),
  deletedAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const Application = z.object({
  id: z.string(),
  candidateId: z.string(),
  jobId: z.string().optional(),
  postingId: z.string().optional(),
  provider: z.string(),
  externalId: z.string(),
  status: z.string(),
  providerStatus: z.string().optional(),
  referrer: z.string().optional(),
  appliedAt: z.string(),
  late: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Fields a source may give about a candidate; absent or empty ones never overwrite what we hold. */
export interface CandidateFields {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  location?: z.infer<typeof CandidateLocation>;
  education?: Array<Record<string, unknown>>;
  experience?: Array<Record<string, unknown>>;
}

export type Candidate = z.infer<typeof Candidate>;
export type CandidateSource = z.infer<typeof CandidateSource>;
export type Application = z.infer<typeof Application>;
export type DocumentInfo = z.infer<typeof DocumentInfo>;

export function normaliseEmail(email: string | undefined): string | undefined {
  const e = email?.trim().toLowerCase();
  return e ? e : undefined;
}

/** UK numbers in national form (`07700900123`) whether written +44, 0044 or with `(0)`; others as `+<digits>`. */
export function normalisePhone(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  const digits = phone.replace(/\(0\)/g, '').replace(/[^\d+]/g, '');
  const international = digits.startsWith('+') ? digits.slice(1) : digits.startsWith('00') ? digits.slice(2) : undefined;
  let result = digits.replace(/\+/g, '');
  if (international !== undefined) {
    result = international.startsWith('44') ? `0${international.slice(2).replace(/^0/, '')}` : `+${international}`;
  }
  return result.replace(/\D/g, '').length >= 6 ? result : undefined;
}
