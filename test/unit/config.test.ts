import { loadConfig } from '../../src/config';

describe('configuration', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config.api.port).toBe(3000);
    expect(config.temporal.address).toBeUndefined();
    expect(config.temporal.devServerPort).toBe(7233);
    expect(config.temporal.uiPort).toBe(8233);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('names the variable of a wrong value in one line', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^invalid configuration: PORT="eighty": /);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });

  it('hides secret values in its message', () => {
    expect(() => loadConfig({ TEMPORAL_TLS: 'maybe', JOBRELAY_API_TOKEN: 'x' })).toThrow(/TEMPORAL_TLS/);
    try {
      loadConfig({ LOG_LEVEL: 'loud', JOBRELAY_SECRET_KEY: 'supersecret' });
    } catch (err) {
      expect(String(err)).not.toContain('supersecret');
    }
  });

  it('splits API tokens and turns TLS on with an API key', () => {
    const config = loadConfig({ JOBRELAY_API_TOKEN: 'a, b', TEMPORAL_ADDRESS: 'x.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' });
    expect(config.api.tokens).toEqual(['a', 'b']);
    expect(config.temporal.tls).toBeDefined();
  });
});
