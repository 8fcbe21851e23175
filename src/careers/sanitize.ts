import sanitizeHtml from 'sanitize-html';

/** Headings inside a job's text sit below the page's own (h1 the title, h2 the sections). */
const demote = sanitizeHtml.simpleTransform('h3', {});

/**
 * What job HTML from a provider (or the API) may keep on a careers page: text structure and plain links only.
 * No script, style, event handler, image, frame or form survives, so no job can run code or restyle the page.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'div', 'span', 'ul', 'ol', 'li', 'strong', 'b', 'em', 'i', 'u', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'a', 'hr'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    h1: demote,
    h2: demote,
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
  },
};

export function sanitizeJobHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
