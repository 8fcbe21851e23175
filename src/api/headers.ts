import type { RequestHandler } from 'express';

/**
 * Security headers on every answer. The API answers JSON, so the default policy forbids everything a browser
 * could run; `/docs` (Swagger UI) loads its own assets and one inline script; a page that needs more (e.g. the
 * careers pages) sets its own Content-Security-Policy, which replaces this one.
 */
export function securityHeaders(options: { https: boolean; docsScriptHash: string }): RequestHandler {
  const api = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  const docs = `default-src 'self'; script-src 'self' '${options.docsScriptHash}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
  return (req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': req.path === '/docs' || req.path.startsWith('/docs/') ? docs : api,
    });
    if (options.https) res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // Answers under /v1 hold personal data and credentials' owners: never cached by a shared cache.
    if (req.path.startsWith('/v1/')) res.set('Cache-Control', 'no-store');
    next();
  };
}
