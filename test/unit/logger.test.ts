import { createLogger } from '../../src/logger';

describe('logger', () => {
  it('redacts credentials and auth headers wherever they are logged', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    logger.info(
      { settings: { credentials: { password: 'hunter2' } }, req: { headers: { authorization: 'Bearer abc' } }, apiKey: 'k-123' },
      'saved',
    );
    logger.info({ connector: { apiKey: 'k-456', name: 'Acme' } }, 'connector');
    const out = lines.join('');
    for (const secret of ['hunter2', 'Bearer abc', 'k-123', 'k-456']) expect(out).not.toContain(secret);
    expect(out).toContain('Acme');
  });
});
