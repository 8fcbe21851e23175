import { z } from 'zod';
import { httpUrl, text } from '../domain/text';
import { contrastRatio } from './contrast';

const hex = text()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb')
  .transform((c) => c.toLowerCase());

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** A logo is fetched by visitors' browsers: https, or http on this machine (development). Never a script-capable scheme. */
const logoUrl = httpUrl().refine((u) => {
  // zod runs this even when the URL check above failed: an unparsable value is simply not allowed.
  const url = URL.canParse(u) ? new URL(u) : undefined;
  return url !== undefined && (url.protocol === 'https:' || LOOPBACK.test(url.hostname));
}, 'https (http only on localhost)');

/** AA contrast for normal text (WCAG 2.x 1.4.3). */
const MIN_CONTRAST = 4.5;

/** The careers site's branding, as `PUT /v1/careers/settings` takes it. Colours are refused when text would be hard to read. */
export const CareersSettings = z
  .object({
    companyName: text().trim().min(1).max(100).default('Our company'),
    logoUrl: logoUrl.optional().describe('an image shown in the header; https (or http on localhost)'),
    colours: z
      .object({
        primary: hex.default('#1d4ed8').describe('header, links and buttons'),
        background: hex.default('#ffffff'),
        text: hex.default('#1f2937'),
      })
      .strict()
      .default({ primary: '#1d4ed8', background: '#ffffff', text: '#1f2937' }),
    intro: text().trim().max(2000).optional().describe('plain text above the job list; blank lines start paragraphs'),
  })
  .strict()
  .superRefine(({ colours }, ctx) => {
    const check = (a: string, b: string, what: string, path: string) => {
      const ratio = contrastRatio(a, b);
      if (ratio < MIN_CONTRAST)
        ctx.addIssue({
          code: 'custom',
          path: ['colours', path],
          message: `${what} has a contrast of ${ratio.toFixed(2)}:1; at least ${MIN_CONTRAST}:1 is needed to be readable`,
        });
    };
    check(colours.text, colours.background, 'text on the background', 'text');
    check(colours.primary, colours.background, 'links (primary) on the background', 'primary');
    // Button and header text on the primary colour is black or white, whichever reads better: always above 4.5:1.
  });

export type CareersSettings = z.infer<typeof CareersSettings>;

export const DEFAULT_SETTINGS: CareersSettings = CareersSettings.parse({});
