import { z } from 'zod';
import { email, httpUrl, text } from '../../domain/text';
import { IndustryEnum, JobTypeEnum } from './schemas';

const ClientCredentials = z.object({ clientId: text().trim().min(1), clientSecret: text().min(1) });
const BasicCredentials = z.object({ username: text().trim().min(1), password: text().min(1) });

/** A client id + secret key (OAuth2 client credentials) or an API username + password (HTTP Basic). */
export const CvLibraryCredentials = z.union([ClientCredentials, BasicCredentials], {
  error: 'credentials must be either {clientId, clientSecret} or {username, password}',
});
export type CvLibraryCredentials = z.infer<typeof CvLibraryCredentials>;

export const isClientCredentials = (c: CvLibraryCredentials): c is z.infer<typeof ClientCredentials> => 'clientId' in c;

/** `PUT /v1/boards/cv-library`: the board as the company set it up. */
export const CvLibraryBoardSettings = z
  .object({
    enabled: z.boolean().default(true),
    baseUrl: httpUrl().optional(),
    credentials: CvLibraryCredentials.optional().describe(
      'required when the board is first set up or moves to another baseUrl; left out, the stored credentials are kept',
    ),
    /** The poster on the generic account; a recruiter's own account brings its own. */
    posterEmail: email().optional(),
    /** Every posting goes to the one company account instead of each recruiter's own. */
    genericAccount: z.boolean().default(false),
    /** Our employmentStatus → CV-Library job type. */
    jobTypeMapping: z.record(text().trim().min(1), JobTypeEnum),
    /** Our category → CV-Library industry; an unmapped category is posted under `Other`. */
    industryMapping: z.record(text().trim().min(1), IndustryEnum),
    expiryDays: z.number().int().min(1, 'expiryDays must be between 1 and 28').max(28, 'expiryDays must be between 1 and 28').default(28),
    /** How long before expiry an auto-repost happens. */
    repostLeadDays: z
      .number()
      .min(0, 'repostLeadDays must be between 0 and 27')
      .max(27, 'repostLeadDays must be between 0 and 27')
      .default(0),
  })
  .refine((s) => s.repostLeadDays < s.expiryDays, { message: 'repostLeadDays must be less than expiryDays', path: ['repostLeadDays'] });
/** The settings as stored: a PUT that leaves the credentials out keeps the stored ones (src/services/boards.ts). */
export type CvLibraryBoardSettings = z.infer<typeof CvLibraryBoardSettings> & { credentials: CvLibraryCredentials };

/** `PUT /v1/boards/cv-library/accounts/:recruiterEmail`: a recruiter's own CV-Library account. */
export const CvLibraryAccountSettings = z.object({
  credentials: CvLibraryCredentials,
  /** Required: a missing one is refused with 422 by the board's setup check, which says why. */
  posterEmail: email().optional(),
});
export type CvLibraryAccountSettings = z.infer<typeof CvLibraryAccountSettings>;

export type MaskedCredentials = { type: 'client'; clientId: string; secret: '••••' } | { type: 'basic'; username: string; secret: '••••' };

/** The settings as an API answer shows them: who the credentials are, never the secret. */
export function maskCredentials<T extends { credentials: CvLibraryCredentials }>(
  settings: T,
): Omit<T, 'credentials'> & { credentials: MaskedCredentials } {
  const { credentials, ...rest } = settings;
  const masked: MaskedCredentials = isClientCredentials(credentials)
    ? { type: 'client', clientId: credentials.clientId, secret: '••••' }
    : { type: 'basic', username: credentials.username, secret: '••••' };
  return { ...rest, credentials: masked };
}
