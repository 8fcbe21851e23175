import { type Response, Router } from 'express';
import type { CareersService } from '../services/careers';
import { favicon, jobPage, listPage, messagePage, type Site, sitemap, styles } from './pages';
import { CareersSearch } from './search';
import type { CareersSettings } from './settings';
import { jobIdFromSlug, slugFor } from './slug';

/**
 * Pages may be stored by browsers and shared caches but are revalidated on every use (ETag, answered 304 when
 * unchanged): a job closed in the ATS must be gone from every cache as soon as the sync has run.
 */
const PAGE_CACHE = 'public, no-cache';

/**
 * The public careers site, served by the API process outside bearer auth: the job list with search and filters,
 * one page per job, the sitemap and the stylesheet. Every page is rendered from the store; no provider is called.
 */
export function careersSite(careers: CareersService, publicUrl: string): Router {
  const router = Router();
  const site = async (): Promise<Site> => ({ settings: await careers.settings(), publicUrl });

  router.get('/careers', async (req, res) => {
    const started = process.hrtime.bigint();
    const s = await site();
    const search = CareersSearch.safeParse(req.query);
    if (!search.success) {
      return send(res, s, 400, messagePage(s, 'That search could not be read', 'Try again from the list of all jobs.'), started);
    }
    const found = await careers.search(search.data);
    send(res, s, 200, listPage(s, found), started);
  });

  router.get('/careers/jobs/:slug', async (req, res) => {
    const started = process.hrtime.bigint();
    const s = await site();
    const id = jobIdFromSlug(req.params.slug);
    const job = id ? await careers.job(id) : undefined;
    if (!job) {
      return send(res, s, 404, messagePage(s, 'This job is not open', 'It may have been filled or closed.'), started);
    }
    const slug = slugFor(job);
    // An older title's address: send people and search engines to the current one.
    if (req.params.slug !== slug) return res.set('Cache-Control', PAGE_CACHE).redirect(301, `/careers/jobs/${slug}`);
    send(res, s, 200, jobPage(s, job), started);
  });

  router.get('/careers/sitemap.xml', async (_req, res) => {
    const s = await site();
    res
      .set('Cache-Control', PAGE_CACHE)
      .type('application/xml')
      .send(sitemap(s, await careers.index()));
  });

  router.get('/careers/styles.css', async (req, res) => {
    const { css, href } = styles(await site());
    // The page links the stylesheet by its content's hash: that address may be kept for long, any other briefly.
    const current = req.originalUrl === href;
    res
      .set('Cache-Control', current ? 'public, max-age=31536000, immutable' : PAGE_CACHE)
      .type('text/css')
      .send(css);
  });

  router.get('/careers/favicon.svg', async (_req, res) => {
    res
      .set('Cache-Control', PAGE_CACHE)
      .type('image/svg+xml')
      .send(favicon(await site()));
  });

  router.get('/robots.txt', (_req, res) => {
    res.type('text/plain').send(`User-agent: *\nAllow: /careers\nDisallow: /v1/\nSitemap: ${publicUrl}/careers/sitemap.xml\n`);
  });

  return router;
}

/** A page with the headers every careers page carries: a strict CSP, caching, and the time it took to make. */
function send(res: Response, site: Site, status: number, html: string, started: bigint) {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  res
    .status(status)
    .set({
      'Content-Security-Policy': contentSecurityPolicy(site.settings),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'Cache-Control': PAGE_CACHE,
      'Server-Timing': `app;dur=${ms.toFixed(2)}`,
    })
    .type('html')
    .send(html);
}

/**
 * No script at all (the JSON-LD block is data, never run), styles from our stylesheet only, images from us and the
 * logo's origin, the search form posting only to us, and no framing.
 */
export function contentSecurityPolicy(settings: CareersSettings): string {
  const logo = settings.logoUrl ? ` ${new URL(settings.logoUrl).origin}` : '';
  return [
    "default-src 'none'",
    "style-src 'self'",
    `img-src 'self'${logo}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
