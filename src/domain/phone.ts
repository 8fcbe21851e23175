import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { text } from './text';

/**
 * Where a phone number written without its international prefix is read: an ISO 3166 alpha-2 code (`GB`, `PL`).
 * It comes from where the person came from (a provider declares its country; else DEFAULT_PHONE_COUNTRY).
 */
export type PhoneCountry = CountryCode;

export const PhoneCountry = text()
  .trim()
  .toUpperCase()
  .refine(isSupportedCountry, 'an ISO 3166 country code with a telephone numbering plan, e.g. GB or PL')
  .transform((v) => v as PhoneCountry);

// The stored form is the one jobrelay always wrote, extended, never changed: erased people are known only by keyed
// hashes of it (phone + surname), which cannot be computed again. UK numbers in national form (`07700900123`),
// others as `+<digits>`. What was missing: a national number is now read in its source's country, so Poland's
// `600 100 200` becomes `+48600100200` (as `+48 600 100 200` always did); one that is not a valid number there stays
// digits, as before. Only such national numbers can differ from what was written before (see `phoneForms`).

/** The phone as jobrelay compares and stores it; `country` reads a number given without its international prefix. */
export function normalisePhone(phone: string | undefined, country?: PhoneCountry): string | undefined {
  const legacy = legacyPhone(phone);
  if (!legacy || !country || international(digitsOf(phone as string)) !== undefined) return legacy;
  const parsed = parsePhoneNumberFromString(legacy, country);
  return parsed?.isValid() ? internationalForm(`${parsed.countryCallingCode}${parsed.nationalNumber}`) : legacy;
}

/**
 * Every form the phone may be held in: today's, then the one written before phones were read in their source's
 * country, when it differs (candidates stored then, erased people's keys). A lookup asks for both.
 */
export function phoneForms(phone: string | undefined, country?: PhoneCountry): string[] {
  return [...new Set([normalisePhone(phone, country), legacyPhone(phone)].filter((p): p is string => p !== undefined))];
}

/**
 * The forms an international number was held in when its source's country was not known: its national digits, without
 * and with the trunk prefix (`+48 600 100 200`: `600100200`; `+33 6 12 34 56 78`: `612345678`, `0612345678`), those not
 * among `phoneForms`. Ambiguous across countries: asked only to recognise an erased person (see `IdentityKeys.returning`).
 */
export function nationalForms(phone: string | undefined, country?: PhoneCountry): string[] {
  if (!phone) return [];
  const rest = international(digitsOf(phone));
  const today = normalisePhone(phone, country);
  const e164 = rest !== undefined ? `+${rest}` : today?.startsWith('+') ? today : undefined;
  const parsed = e164 ? parsePhoneNumberFromString(e164) : undefined;
  if (!parsed?.isPossible()) return [];
  const held = phoneForms(phone, country);
  const forms = [parsed.nationalNumber, parsed.format('NATIONAL').replace(/\D/g, '')];
  return [...new Set(forms)].filter((f) => f.length >= 6 && !held.includes(f));
}

/** The rule before countries: UK numbers in national form whether written +44, 0044 or with `(0)`; others as `+<digits>`. */
function legacyPhone(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  const digits = digitsOf(phone);
  const rest = international(digits);
  const result = rest === undefined ? digits.replace(/\+/g, '') : internationalForm(rest);
  return result.replace(/\D/g, '').length >= 6 ? result : undefined;
}

/** The number's digits and `+` signs, without a UK-style `(0)`. */
const digitsOf = (phone: string) => phone.replace(/\(0\)/g, '').replace(/[^\d+]/g, '');

/** The digits after `+` or `00`, when the number is written with its international prefix. */
function international(digits: string): string | undefined {
  return digits.startsWith('+') ? digits.slice(1) : digits.startsWith('00') ? digits.slice(2) : undefined;
}

/** Country code and number: UK ones in national form, others `+<digits>`. */
function internationalForm(digits: string): string {
  return digits.startsWith('44') ? `0${digits.slice(2).replace(/^0/, '')}` : `+${digits}`;
}
