import type { Job } from '../domain/job';
import type { CareersSettings } from './settings';

const UNIT: Record<NonNullable<Job['salary']>['period'], string> = { annum: 'YEAR', month: 'MONTH', day: 'DAY', hour: 'HOUR' };

/** schema.org employment types from the free-text types ATSs use ("Full-time", "full_time", "Contract", …). */
const EMPLOYMENT_TYPES: Array<[RegExp, string]> = [
  [/^full/, 'FULL_TIME'],
  [/^part/, 'PART_TIME'],
  [/^contract/, 'CONTRACTOR'],
  [/^(temp|fixed)/, 'TEMPORARY'],
  [/^intern/, 'INTERN'],
  [/^volunt/, 'VOLUNTEER'],
  [/^(perdiem|daily)/, 'PER_DIEM'],
];

export function employmentType(status: string): string {
  const key = status.toLowerCase().replace(/[^a-z]/g, '');
  return EMPLOYMENT_TYPES.find(([re]) => re.test(key))?.[1] ?? 'OTHER';
}

/** The job as a schema.org JobPosting, for search engines' job listings. `description` is the page's sanitised HTML. */
export function jobPosting(job: Job, site: { settings: CareersSettings; url: string; description: string }) {
  const { settings } = site;
  const country = job.location.country !== 'unknown' ? job.location.country : undefined;
  const remote = job.workplace === 'remote';
  return {
    '@context': 'https://schema.org',
    '@type': 'JobPosting',
    title: job.title,
    description: site.description,
    url: site.url,
    identifier: { '@type': 'PropertyValue', name: settings.companyName, value: job.reference ?? job.id },
    datePosted: (job.postedAt ?? job.createdAt).slice(0, 10),
    employmentType: employmentType(job.employmentStatus),
    hiringOrganization: { '@type': 'Organization', name: settings.companyName, ...(settings.logoUrl ? { logo: settings.logoUrl } : {}) },
    ...(remote
      ? {
          jobLocationType: 'TELECOMMUTE',
          ...(country ? { applicantLocationRequirements: { '@type': 'Country', name: country } } : {}),
        }
      : {
          jobLocation: {
            '@type': 'Place',
            address: {
              '@type': 'PostalAddress',
              addressLocality: job.location.city,
              ...(job.location.region ? { addressRegion: job.location.region } : {}),
              ...(job.location.postcode ? { postalCode: job.location.postcode } : {}),
              ...(country ? { addressCountry: country } : {}),
            },
          },
        }),
    ...(job.salary && (job.salary.min !== undefined || job.salary.max !== undefined)
      ? {
          baseSalary: {
            '@type': 'MonetaryAmount',
            currency: job.salary.currency,
            value: {
              '@type': 'QuantitativeValue',
              ...(job.salary.min !== undefined ? { minValue: job.salary.min } : {}),
              ...(job.salary.max !== undefined ? { maxValue: job.salary.max } : {}),
              unitText: UNIT[job.salary.period],
            },
          },
        }
      : {}),
    directApply: false,
  };
}

/** JSON safe inside a `<script>` element: nothing in it can close the element or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
