import { createHash } from 'node:crypto';
import path from 'node:path';
import { Eta } from 'eta';
import type { Job } from '../domain/job';
import type { JobSummary } from '../store/careers';
import { jobPosting, scriptJson } from './json-ld';
import { dateText, employmentTypeLabel, locationText, salaryText, workplaceLabel } from './present';
import { sanitizeJobHtml } from './sanitize';
import { type CareersSearch, PAGE_SIZE, searchQuery } from './search';
import type { CareersSettings } from './settings';
import { slugFor } from './slug';
import { stylesheet } from './styles';

// The careers pages as HTML. Templates escape every value unless it is marked raw (<%~ %>), and only three things
// are: a page's body (rendered by these templates), job HTML after the sanitiser, and JSON-LD made script-safe.

const eta = new Eta({ views: path.join(__dirname, 'views'), cache: true, autoEscape: true });

/** Everything a page needs from the site: branding, and where the site lives (absolute links for search engines). */
export interface Site {
  settings: CareersSettings;
  publicUrl: string;
}

export interface ListData {
  search: CareersSearch;
  jobs: JobSummary[];
  total: number;
  facets: { departments: string[]; employmentStatuses: string[] };
}

const WORKPLACES: Job['workplace'][] = ['remote', 'hybrid', 'onsite'];

export function listPage(site: Site, { search, jobs, total, facets }: ListData): string {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = searchQuery({ ...search, page: 1 }) !== '';
  const body = eta.render('list', {
    companyName: site.settings.companyName,
    intro: paragraphs(site.settings.intro),
    search,
    workplaces: WORKPLACES.map((w) => ({ value: w, label: workplaceLabel(w), checked: search.workplace.includes(w) })),
    departments: options(facets.departments, search.department),
    types: options(
      facets.employmentStatuses.filter((t) => employmentTypeLabel(t)),
      search.type,
    ),
    countText: total === 1 ? `1 job${filtered ? ' matches this search' : ''}` : `${total} jobs${filtered ? ' match this search' : ''}`,
    jobs: jobs.map((job) => ({
      url: `/careers/jobs/${slugFor(job)}`,
      title: job.title,
      workplace: workplaceLabel(job.workplace),
      facts: facts(job),
    })),
    pager:
      pages > 1
        ? {
            page: search.page,
            pages,
            prev: search.page > 1 ? `/careers${searchQuery(search, Math.min(search.page - 1, pages))}` : undefined,
            next: search.page < pages ? `/careers${searchQuery(search, search.page + 1)}` : undefined,
          }
        : undefined,
  });
  const title = `Jobs at ${site.settings.companyName}`;
  return layout(site, {
    title: search.page > 1 ? `${title} – page ${search.page}` : title,
    description: site.settings.intro?.slice(0, 160) ?? `Open jobs at ${site.settings.companyName}.`,
    canonical: filtered ? undefined : `${site.publicUrl}/careers${searchQuery(search)}`,
    body,
  });
}

export function jobPage(site: Site, job: Job): string {
  const sections = (job.sections?.length ? job.sections : [{ html: job.description }])
    .map((s) => ({ title: s.title, html: sanitizeJobHtml(s.html) }))
    .filter((s) => s.title || s.html.trim());
  const url = `${site.publicUrl}/careers/jobs/${slugFor(job)}`;
  const description = sections.map((s) => (s.title ? `<h2>${escapeHtml(s.title)}</h2>` : '') + s.html).join('\n');
  const body = eta.render('job', {
    title: job.title,
    workplace: workplaceLabel(job.workplace),
    facts: [...facts(job), `Posted ${dateText(job.postedAt ?? job.createdAt)}`],
    applyUrl: job.applyUrl && /^https?:\/\//i.test(job.applyUrl) ? job.applyUrl : undefined,
    sections,
  });
  return layout(site, {
    title: `${job.title} – ${site.settings.companyName}`,
    description: `${job.title}, ${[workplaceLabel(job.workplace), locationText(job.location)].join(', ')}.`,
    canonical: url,
    jsonLd: scriptJson(jobPosting(job, { settings: site.settings, url, description })),
    body,
  });
}

export function messagePage(site: Site, heading: string, text: string): string {
  return layout(site, { title: `${heading} – ${site.settings.companyName}`, body: eta.render('message', { heading, text }) });
}

/** The sitemap of the public jobs and the list, with absolute URLs. */
export function sitemap(site: Site, jobs: Array<Pick<Job, 'id' | 'title' | 'updatedAt'>>): string {
  const url = (loc: string, lastmod?: string) =>
    `<url><loc>${escapeHtml(loc)}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}</url>`;
  const latest = jobs.reduce<string | undefined>((max, j) => (!max || j.updatedAt > max ? j.updatedAt : max), undefined);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    url(`${site.publicUrl}/careers`, latest),
    ...jobs.map((j) => url(`${site.publicUrl}/careers/jobs/${slugFor(j)}`, j.updatedAt)),
    '</urlset>',
    '',
  ].join('\n');
}

/** A plain mark in the brand's colour, so browsers find an icon without asking the API for /favicon.ico. */
export function favicon(site: Site): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="${site.settings.colours.primary}"/></svg>`;
}

/** The stylesheet and its address: the address changes with the content, so browsers may keep it for long. */
export function styles(site: Site): { css: string; href: string } {
  const css = stylesheet(site.settings);
  return { css, href: `/careers/styles.css?v=${createHash('sha256').update(css).digest('hex').slice(0, 12)}` };
}

function layout(site: Site, page: { title: string; description?: string; canonical?: string; jsonLd?: string; body: string }) {
  return eta.render('layout', { ...page, site: site.settings, stylesheet: styles(site).href });
}

function facts(job: Pick<Job, 'location' | 'department' | 'employmentStatus' | 'salary'>): string[] {
  return [locationText(job.location), job.department, employmentTypeLabel(job.employmentStatus), salaryText(job.salary)].filter(
    (f): f is string => Boolean(f),
  );
}

function options(values: string[], selected: string | undefined) {
  // A value chosen in a link that no public job has any more still shows, so the form says what was searched.
  const chosen = selected?.toLowerCase();
  const all = selected && !values.some((v) => v.toLowerCase() === chosen) ? [...values, selected] : values;
  return all.map((value) => ({ value, selected: value.toLowerCase() === chosen }));
}

function paragraphs(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
