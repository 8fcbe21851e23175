import fs from 'node:fs';
import path from 'node:path';
import { text } from '../../src/domain/text';
import { createLogger } from '../../src/logger';
import { StoreError } from '../../src/store/errors';
import { MAX_PATTERN_COST, patternCost, refineRegex, userRegex } from '../../src/sync/classify';

const ROOT = path.resolve(__dirname, '../..');
const files = (dir: string): string[] =>
  fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));

describe('one shared string schema', () => {
  it('is the only way input schemas make strings (domain, API, intake, provider and careers settings, the DirectApply delivery)', () => {
    const schemaFiles = [
      ...files('src/domain'),
      ...files('src/api'),
      ...files('src/intake'),
      'src/careers/settings.ts',
      ...files('src/providers').filter((f) => /settings\.ts$/.test(f)),
      'src/providers/cv-library/schemas.ts',
    ].filter((f) => !f.endsWith('src/domain/text.ts'));
    const offenders = schemaFiles.filter((f) => /z\s*\.\s*(string|email|url)\s*\(/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('refuses NUL and control characters, keeps tab and line breaks', () => {
    for (const bad of ['\u0000', 'a\u0007', '\u001b[0m', '\u007f']) expect(text().safeParse(bad).success).toBe(false);
    expect(text().safeParse('a\tb\r\nc — é 🙂').success).toBe(true);
  });
});

describe('user regexes within the engine’s fixed memory', () => {
  const check = (pattern: string) => {
    const issues: string[] = [];
    refineRegex(pattern, { addIssue: (i: { message?: string }) => issues.push(String(i.message)) } as never);
    return issues;
  };

  it('refuses a costly pattern before compiling it, with a message for a person', () => {
    expect(patternCost('[\\p{L}\\p{N}]{1000}')).toBeGreaterThan(MAX_PATTERN_COST);
    expect(patternCost('\\bremote\\b|anywhere')).toBeLessThan(50);
    expect(check('[\\p{L}\\p{N}]{1000}')).toEqual([expect.stringMatching(/too costly/)]);
    expect(check('(?:\\pL{5}){10}')).toEqual([expect.stringMatching(/too costly/)]);
    expect(check('(unclosed')).toEqual([expect.stringMatching(/not a valid regular expression \(RE2 syntax\): missing \)/)]);
  });

  it('frees what it compiles: hundreds of allowed patterns, valid or not, leave the engine working', () => {
    for (let i = 0; i < 200; i++) {
      expect(check(`.{20}${i}|remote`)).toEqual([]);
      expect(check(`(${i}`)).toHaveLength(1);
      expect(userRegex(`[^a]{15}${i}|remote`).test('Fully remote')).toBe(true);
    }
    expect(userRegex('(?i)hybrid').test('HYBRID')).toBe(true);
  });
});

describe('logs', () => {
  it('never show personal fields, SQL parameters or the config an HTTP error carries', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    const dbError = Object.assign(new Error('duplicate key'), {
      code: '23505',
      params: ['amelia@example.com', '07700900461'],
      query: 'insert …',
    });
    const httpError = Object.assign(new Error('Request failed'), {
      config: { auth: { username: 'u', password: 'hunter2' }, headers: { Authorization: 'Basic abc' } },
    });
    logger.error({ err: dbError }, 'write failed');
    logger.error({ err: httpError, candidate: { email: 'amelia@example.com', phone: '07700900461', first_name: 'Amelia' } }, 'call failed');
    logger.warn(
      { temporal: { error: new StoreError('index row too large', '54000'), deep: { a: { b: { email: 'amelia@example.com' } } } } },
      'x',
    );
    const out = lines.join('\n');
    for (const secret of ['amelia@example.com', '07700900461', 'hunter2', 'Basic abc', 'Amelia']) expect(out).not.toContain(secret);
    expect(out).toContain('duplicate key');
    expect(out).toContain('54000');
  });
});
