import { ConfigError, loadConfig } from '../../src/config';

/** The message loadConfig refuses this environment with (fails the test when it is accepted). */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

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

  it('names a wrong secret without showing it, next to the other wrong values', () => {
    const message = refusal({ LOG_LEVEL: 'loud', JOBRELAY_SECRET_KEY: 'supersecret' });
    expect(message).toMatch(/^invalid configuration: /);
    expect(message).toContain('JOBRELAY_SECRET_KEY=(hidden): must be 32 bytes');
    expect(message).toContain('LOG_LEVEL="loud"');
    expect(message).not.toContain('supersecret');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('takes a 32-byte secret key in hex or base64', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ JOBRELAY_SECRET_KEY: key.toString('hex') }).secretKey).toBe(key.toString('hex'));
    expect(loadConfig({ JOBRELAY_SECRET_KEY: key.toString('base64') }).secretKey).toBe(key.toString('base64'));
    expect(refusal({ JOBRELAY_SECRET_KEY: Buffer.alloc(16).toString('base64') })).toContain('JOBRELAY_SECRET_KEY=(hidden)');
  });

  it('splits API tokens and turns TLS on with an API key', () => {
    const config = loadConfig({ JOBRELAY_API_TOKEN: 'a, b', TEMPORAL_ADDRESS: 'x.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' });
    expect(config.api.tokens).toEqual(['a', 'b']);
    expect(config.temporal.tls).toBeDefined();
  });
});
