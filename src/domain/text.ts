import { z } from 'zod';

/**
 * Control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in text, and none of
 * them belongs in a name, an address or a setting: every string we take in is refused with them (400), so no
 * input reaches the database in a shape that fails there.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;

/** The one string schema every input schema is built from. */
export const text = () => z.string().regex(NO_CONTROL_CHARACTERS, 'control characters (other than tab and line breaks) are not allowed');

/** An email address (RFC 5321 caps an address at 254 characters). */
export const email = () => z.email().max(254);

/** An http(s) URL (never `file:`, `gopher:`, `javascript:` and the like). */
export const httpUrl = () =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2000)
    .regex(NO_CONTROL_CHARACTERS);

/**
 * A file sent as base64, decoded once: a string whose decoding loses nothing is taken as its bytes. Node's decoder
 * skips what is not base64 (control characters included), so a shorter result means a stray character; a pattern
 * check first would read a 200 KB CV twice.
 */
export const base64File = () =>
  z
    .string()
    .transform((encoded, ctx) => {
      const bytes = Buffer.from(encoded, 'base64');
      const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
      if (encoded.length % 4 === 0 && bytes.byteLength === (encoded.length / 4) * 3 - padding) return bytes;
      ctx.addIssue({ code: 'custom', message: 'not base64' });
      return z.NEVER;
    })
    .describe('the file, base64');
