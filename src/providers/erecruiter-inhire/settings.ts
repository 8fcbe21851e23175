import { z } from 'zod';
import { httpUrl, text } from '../../domain/text';

// The connector of the pair: eRecruiter.pl (the customer's ATS) and inhire (the sourcing tool), as the setup in
// seed 004 describes it (Settings → Integrations → Partners in eRecruiter; Settings → Integrations → eRecruiter in
// inhire). Base URLs default to production; a test server or the sandbox is given explicitly.

export const ERECRUITER_API_URL = 'https://api.erecruiter.pl/v1.1';
export const ERECRUITER_AUTH_URL = 'https://authorization-api.erecruiter.pl';
export const INHIRE_API_URL = 'https://api.inhire.io/api/v1';

/** Where eRecruiter's credentials may go: its API and its authorization server. */
export const ERECRUITER_ORIGINS = ['https://api.erecruiter.pl', 'https://authorization-api.erecruiter.pl'] as const;
export const INHIRE_ORIGINS = ['https://api.inhire.io'] as const;
/** The pair's API origins, production first. */
export const PAIR_ORIGINS = [...ERECRUITER_ORIGINS, ...INHIRE_ORIGINS] as const;

const id = z
  .union([z.number().int().positive(), text().regex(/^[A-Za-z0-9-]{1,64}$/)])
  .transform(String)
  .describe('an eRecruiter id (number or string)');

export const ErecruiterInhireSettings = z
  .object({
    erecruiterBaseUrl: httpUrl().default(ERECRUITER_API_URL).describe('eRecruiter API base (v1.1)'),
    erecruiterAuthUrl: httpUrl().default(ERECRUITER_AUTH_URL).describe('eRecruiter authorization API (OAuth password grant)'),
    companyId: id.describe('the eRecruiter company (GET Account/Companies)'),
    scope: z
      .enum(['all', 'selected'])
      .describe('the access the eRecruiter admin granted: all recruitments, or only those that ticked the partner'),
    inhireBaseUrl: httpUrl().default(INHIRE_API_URL).describe('inhire API base'),
    sourceId: id.optional().describe('the publication place candidates are tagged with (PUT /v1/connectors/:id/source)'),
    deliveryIntervalMinutes: z
      .number()
      .min(1 / 60)
      .max(24 * 60)
      .default(15)
      .describe('how often inhire is asked for candidates ready to deliver'),
    rateLimit: z
      .object({ perSecond: z.number().positive().max(10_000), burst: z.number().int().min(1).max(10_000) })
      // eRecruiter documents no limit: at most 10 requests a second on each side.
      .default({ perSecond: 10, burst: 10 })
      .describe('requests per second and burst, per side (eRecruiter documents no limit: 10/s)'),
  })
  .strict();

const accessKey = z.object({ accessKey: text().min(8).max(1000).describe('the partner access key from eRecruiter') }).strict();
const passwordGrant = z
  .object({
    clientId: text().min(1).max(200),
    clientSecret: text().min(1).max(500),
    username: text().min(1).max(320).describe('the eRecruiter user (email)'),
    password: text().min(1).max(500),
  })
  .strict()
  .describe('OAuth password grant instead of the access key');

export const ErecruiterInhireCredentials = z
  .object({
    erecruiter: z.union([accessKey, passwordGrant]),
    inhire: z.object({ apiKey: text().min(8).max(1000).describe('the inhire API key') }).strict(),
  })
  .strict();

export type ErecruiterInhireSettings = z.infer<typeof ErecruiterInhireSettings>;
export type ErecruiterInhireCredentials = z.infer<typeof ErecruiterInhireCredentials>;
export type ErecruiterAuth = ErecruiterInhireCredentials['erecruiter'];

/** The base URLs credentials go to, each bound to its origin when the connector is saved. */
export const baseUrls = (s: ErecruiterInhireSettings) => ({
  erecruiterBaseUrl: s.erecruiterBaseUrl,
  erecruiterAuthUrl: s.erecruiterAuthUrl,
  inhireBaseUrl: s.inhireBaseUrl,
});

const lastFour = (secret: string) => `••••${secret.slice(-4)}`;

/** Credentials as an answer may show them: the last four characters of each key; the password grant by its client. */
export function maskCredentials(c: ErecruiterInhireCredentials): Record<string, string> {
  return {
    erecruiter:
      'accessKey' in c.erecruiter ? lastFour(c.erecruiter.accessKey) : `OAuth password grant, client ${lastFour(c.erecruiter.clientId)}`,
    inhire: lastFour(c.inhire.apiKey),
  };
}
