import { z } from 'zod';
import type { PhoneCountry } from './phone';
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

/** What a candidate's file is: their CV (résumé), a cover letter, or another file they or the recruiter added. */
export const DocumentKind = z.enum(['cv', 'cover-letter', 'other']);

/** A kind as stored; one the store does not know (not written since migration 160) reads as `other`. */
export const documentKindOf = (stored: string): DocumentKind => DocumentKind.safeParse(stored).data ?? 'other';

export const DocumentInfo = z.object({
  id: text(),
  kind: DocumentKind.describe('cv (the résumé), cover-letter, or other (any other file of the candidate’s)'),
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
  /** Where a phone given without its international prefix is read: the source's country (never stored). */
  phoneCountry?: PhoneCountry;
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
export type DocumentKind = z.infer<typeof DocumentKind>;

export function normaliseEmail(email: string | undefined): string | undefined {
  const e = email?.trim().toLowerCase();
  return e ? e : undefined;
}

/**
 * A surname as the match rules compare it (`ŁUCZAK` is `Łuczak`): folded here, in JavaScript, never by the database,
 * whose `lower()` depends on its locale (a C-locale PostgreSQL folds ASCII only). Erased people's keys use it too.
 */
export function foldSurname(surname: string | undefined): string | undefined {
  // Exactly the fold erased people's keys were always made with: changing it would make them unrecognisable.
  const folded = surname?.trim().toLowerCase();
  return folded ? folded : undefined;
}
