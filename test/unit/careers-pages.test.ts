import { contrastRatio, readableOn } from '../../src/careers/contrast';
import { employmentType, scriptJson } from '../../src/careers/json-ld';
import { locationText, salaryText } from '../../src/careers/present';
import { CareersSearch, searchQuery } from '../../src/careers/search';
import { CareersSettings } from '../../src/careers/settings';
import { jobIdFromSlug, slugFor } from '../../src/careers/slug';

describe('careers site rules', () => {
  it('a slug is the title for people and the job id for us: a new title keeps the id, odd titles stay readable', () => {
    const id = 'job_8f3k2m9xq1w4e5r6t7y8';
    expect(slugFor({ id, title: 'Senior Café Manager (Leeds) – 2×' })).toBe('senior-cafe-manager-leeds-2-8f3k2m9xq1w4e5r6t7y8');
    expect(slugFor({ id, title: '<script>' })).toBe('script-8f3k2m9xq1w4e5r6t7y8');
    expect(slugFor({ id, title: '∑∑∑' })).toBe('job-8f3k2m9xq1w4e5r6t7y8');
    expect(jobIdFromSlug('any-old-title-8f3k2m9xq1w4e5r6t7y8')).toBe(id);
    expect(jobIdFromSlug('8f3k2m9xq1w4e5r6t7y8')).toBeUndefined();
    expect(jobIdFromSlug('title-8F3K2M9XQ1W4E5R6T7Y8')).toBeUndefined();
  });

  it('refuses branding whose text would be hard to read, naming the pair and its contrast', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21);
    expect(CareersSettings.parse({}).colours).toEqual({ primary: '#1d4ed8', background: '#ffffff', text: '#1f2937' });
    const pale = CareersSettings.safeParse({ colours: { text: '#aaaaaa' } });
    expect(pale.success).toBe(false);
    expect(pale.error?.issues).toEqual([
      expect.objectContaining({
        path: ['colours', 'text'],
        message: expect.stringMatching(/^text on the background has a contrast of 2\.3\d:1/),
      }),
    ]);
    // A mid-tone primary carries black button text well enough, but as link text on white it fades.
    const mid = CareersSettings.safeParse({ colours: { primary: '#808080' } });
    expect(mid.error?.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^links \(primary\) on the background/)]);
    expect(readableOn('#808080')).toBe('#000000');
    expect(readableOn('#0f5132')).toBe('#ffffff');
    expect(CareersSettings.safeParse({ logoUrl: 'http://cdn.example/logo.png' }).success).toBe(false);
    expect(CareersSettings.safeParse({ logoUrl: 'https://cdn.example/logo.png' }).success).toBe(true);
    expect(CareersSettings.safeParse({ colours: { primary: '#1d4ed8;}body{display:none' } }).success).toBe(false);
  });

  it('JSON-LD cannot close its script element, and employment types map to schema.org’s', () => {
    const json = scriptJson({ description: '</script><script>alert(1)</script><!--', line: '\u2028' });
    expect(json).not.toMatch(/[<>]|\u2028/);
    expect(JSON.parse(json)).toEqual({ description: '</script><script>alert(1)</script><!--', line: '\u2028' });
    expect(['Full-time', 'full_time', 'Part Time', 'Contractor', 'Temporary', 'Internship', 'Freelance'].map(employmentType)).toEqual([
      'FULL_TIME',
      'FULL_TIME',
      'PART_TIME',
      'CONTRACTOR',
      'TEMPORARY',
      'INTERN',
      'OTHER',
    ]);
  });

  it('says salary and location as a person would', () => {
    expect(salaryText({ min: 30000, max: 45000, currency: 'GBP', period: 'annum' })).toBe('£30,000 – £45,000 a year');
    expect(salaryText({ min: 15, currency: 'EUR', period: 'hour' })).toBe('From €15 an hour');
    expect(salaryText({ max: 500, currency: 'USD', period: 'day' })).toBe('Up to US$500 a day');
    expect(salaryText({ currency: 'GBP', period: 'month' })).toBeUndefined();
    expect(locationText({ city: 'Leeds', region: 'West Yorkshire', country: 'GB' })).toBe('Leeds, West Yorkshire, United Kingdom');
    expect(locationText({ city: 'London', region: 'London', country: 'unknown' })).toBe('London');
  });

  it('reads a search from the query string and writes it back for the other pages', () => {
    const search = CareersSearch.parse({ q: ' engineer ', workplace: ['remote', 'hybrid'], department: '', page: '2' });
    expect(search).toEqual({ q: 'engineer', workplace: ['remote', 'hybrid'], page: 2 });
    expect(searchQuery(search, 3)).toBe('?q=engineer&workplace=remote&workplace=hybrid&page=3');
    expect(searchQuery(search, 1)).toBe('?q=engineer&workplace=remote&workplace=hybrid');
    expect(CareersSearch.safeParse({ workplace: 'underwater' }).success).toBe(false);
    expect(CareersSearch.safeParse({ page: '0' }).success).toBe(false);
  });
});
