import fs from 'node:fs';
import path from 'node:path';

// A sandbox is written from the provider's documentation, never from our client: if it imported the client's
// schemas, mapping, settings, rate limiter or error translation, a mistake in our understanding could not fail a test.

const PROVIDERS = path.resolve(__dirname, '../../src/providers');
// fflate: the zip writer the SmartRecruiters sandbox builds its DOCX résumés with (the client reads them with mammoth).
const ALLOWED = [/^node:/, /^express$/, /^zod$/, /^fflate$/, /^\.\.\/seeded-random$/, /^\.\.\/sandbox-patch$/, /^\.\/sandbox-[a-z-]+$/];

describe('sandboxes', () => {
  const files = fs
    .readdirSync(PROVIDERS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(PROVIDERS, d.name))
        .filter((f) => /^sandbox.*\.ts$/.test(f))
        .map((f) => path.join(d.name, f)),
    );

  it('exist for the providers that have them', () => {
    expect(files).toEqual(expect.arrayContaining(['cv-library/sandbox.ts', 'lever/sandbox.ts', 'smartrecruiters/sandbox.ts']));
  });

  it.each(files)('%s imports nothing of the client', (file) => {
    const source = fs.readFileSync(path.join(PROVIDERS, file), 'utf8');
    const imports = [...source.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !ALLOWED.some((re) => re.test(i)))).toEqual([]);
  });
});
