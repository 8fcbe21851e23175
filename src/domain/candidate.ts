import { z } from 'zod';
import { text } from './text';

export const CandidateLocation = z.object({
  town: text().optional(),
  county: text().optional(),
  postcode: text().optional(),
  city: text().optional(),
  region: text().optional(),
  country: text().optional(),
});

export const CandidateSource = z.object({
  provider: text(),
  externalId: text(),
  referrer: text().optional(),
  firstSeenAt: text(),
  deletedAt: text().optional().describe('the person is gone from this source'),
});

export const DocumentInfo = z.object({
  id: text(),
  filename: text(),
  contentType: text(),
  size: z.number(),
  sha256: text(),
});

export const Candidate = z.object({
  id: text(),
  firstName: text(),
  lastName: text(),
  email: text().optional(),
  phone: text().optional(),
  location: CandidateLocation,
  education: z.array(z.record(text(), z.unknown())),
  experience: z.array(z.record(text(), z.unknown())),
  links: z.record(text(), text()).optional().describe('web links by kind (linkedin, website, …), when a source gave any'),
  sources: z.array(CandidateSource),
  documents: z.array(DocumentInfo),
  deletedAt: text().optional(),
  /** Set on the tombstone of a person whose data was erased. */
  erasedAt: text().optional(),
  createdAt: text(),
  updatedAt: text(),
});

export const Application = z.object({
  id: text(),
  candidateId: text(),
  jobId: text().optional(),
  postingId: text().optional(),
  provider: text(),
  externalId: text(),
  status: text(),
  providerStatus: text().optional(),
  referrer: text().optional(),
  appliedAt: text(),
  late: z.boolean(),
  deletedAt: text().optional().describe('gone at its source'),
  createdAt: text(),
  updatedAt: text(),
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
  /** Web links by kind (linkedin, website, …); merged key by key like the location. */
  links?: Record<string, string>;
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
