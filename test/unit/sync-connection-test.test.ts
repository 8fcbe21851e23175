import { ApplicationFailure } from '@temporalio/common';
import { ConnectionTest } from '../../src/sync/connection-test';

const refused = (status: number, message: string) =>
  Promise.reject(ApplicationFailure.create({ message, nonRetryable: true, details: [{ status }] }));

describe('a connection test of a connector with two parts', () => {
  it('reports each part on its own and names the part in every check and missing item', async () => {
    const test = new ConnectionTest();
    const ats = test.part('eRecruiter', { rejected: 'the access key is refused', lacks: (p) => `the key lacks ${p}` });
    const tool = test.part('inhire');
    await ats.check('stages', 'reading stages', () => Promise.resolve([]));
    await ats.check('recruitments', 'reading recruitments', () => refused(403, 'eRecruiter answered 403: no'));
    await tool.check('API key', 'reading candidates', () => refused(401, 'inhire answered 401: invalid API key'));
    expect(test.report()).toEqual({
      ok: false,
      checks: [
        { name: 'eRecruiter: stages', ok: true },
        { name: 'eRecruiter: recruitments', ok: false, detail: 'ProviderError (HTTP 403)' },
        { name: 'inhire: API key', ok: false, detail: 'ProviderError (HTTP 401)' },
      ],
      missing: ['eRecruiter: the key lacks reading recruitments', 'inhire: the credentials are invalid or revoked'],
      parts: {
        eRecruiter: { ok: false, missing: ['the key lacks reading recruitments'] },
        inhire: { ok: false, missing: ['the credentials are invalid or revoked'] },
      },
    });
    expect(tool.credentialsRefused).toBe(true);
    expect(ats.credentialsRefused).toBe(false);
  });

  it('a part that could not be reached (no answer) is not working, though nothing is missing', async () => {
    const test = new ConnectionTest();
    await test
      .part('eRecruiter')
      .check('stages', 'reading stages', () => Promise.reject(new Error('eRecruiter: no answer (ECONNREFUSED)')));
    await test.part('inhire').check('API key', 'reading candidates', () => Promise.resolve());
    expect(test.report()).toMatchObject({ ok: false, missing: [], parts: { eRecruiter: { ok: false }, inhire: { ok: true } } });
  });

  it('a connector of one part reports as before', async () => {
    const test = new ConnectionTest();
    await test.check('key', 'list', () => Promise.resolve());
    expect(test.report()).toEqual({ ok: true, checks: [{ name: 'key', ok: true }], missing: [] });
  });
});
