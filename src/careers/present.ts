import type { Job } from '../domain/job';

// How a job's fields read on a careers page (British English, as the seeds are).

const WORKPLACE: Record<Job['workplace'], string> = { remote: 'Remote', hybrid: 'Hybrid', onsite: 'On-site' };
const PERIOD: Record<NonNullable<Job['salary']>['period'], string> = {
  annum: 'a year',
  month: 'a month',
  day: 'a day',
  hour: 'an hour',
};
const countries = new Intl.DisplayNames(['en-GB'], { type: 'region' });
const dates = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const money = new Map<string, Intl.NumberFormat>();
const countryNames = new Map<string, string>();

export function workplaceLabel(workplace: Job['workplace']): string {
  return WORKPLACE[workplace];
}

/** The employment type as the source named it; nothing when it did not (Lever's mapping says "unspecified"). */
export function employmentTypeLabel(status: string): string | undefined {
  return status && status !== 'unspecified' ? status : undefined;
}

/** The country's name when it is a code we know; nothing when the source did not say. */
export function countryName(country: string): string | undefined {
  if (!country || country === 'unknown') return undefined;
  if (!/^[A-Za-z]{2}$/.test(country)) return country;
  let name = countryNames.get(country);
  if (name === undefined) {
    try {
      name = countries.of(country.toUpperCase()) ?? country;
    } catch {
      name = country;
    }
    countryNames.set(country, name);
  }
  return name;
}

/** "Leeds, West Yorkshire, United Kingdom": each part once. */
export function locationText(location: Job['location']): string {
  const parts = [location.city, location.region, countryName(location.country)].filter((p): p is string => Boolean(p?.trim()));
  return parts.filter((p, i) => !parts.slice(0, i).some((q) => q.toLowerCase().includes(p.toLowerCase()))).join(', ');
}

/** "£30,000 – £45,000 a year", "From £30,000 a year", or nothing when neither bound is known. */
export function salaryText(salary: Job['salary']): string | undefined {
  if (!salary || (salary.min === undefined && salary.max === undefined)) return undefined;
  const amount = (n: number) => formatter(salary.currency).format(n);
  const per = PERIOD[salary.period];
  if (salary.min !== undefined && salary.max !== undefined)
    return salary.min === salary.max ? `${amount(salary.min)} ${per}` : `${amount(salary.min)} – ${amount(salary.max)} ${per}`;
  return salary.min !== undefined ? `From ${amount(salary.min)} ${per}` : `Up to ${amount(salary.max as number)} ${per}`;
}

export function dateText(iso: string): string {
  return dates.format(new Date(iso));
}

function formatter(currency: string): Intl.NumberFormat {
  let f = money.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 });
    money.set(currency, f);
  }
  return f;
}
