import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import { createWebhookSender } from '../../src/events/sender';
import type { EventBody } from '../../src/events/types';
import { ANY_PUBLIC_ORIGIN, OriginPolicy } from '../../src/providers/origins';

const event: EventBody = { id: 'evt_1', type: 'posting.live', occurredAt: '2026-11-26T10:00:00.000Z', subject: 'posting:p', data: {} };

async function listen(handler: http.RequestListener) {
  const served: string[] = [];
  const server = http.createServer((req, res) => {
    served.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { served, port, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('webhook destinations under the origin rules (the same as provider base URLs)', () => {
  const policy = new OriginPolicy([], undefined, 'JOBRELAY_ALLOWED_WEBHOOK_ORIGINS');

  it('takes any public https origin, and refuses http, credentials in the URL, and loopback, private or metadata addresses', () => {
    expect(policy.refusal(ANY_PUBLIC_ORIGIN, 'https://hooks.acme.example/jobrelay?token=x')).toBeUndefined();
    expect(policy.refusal(ANY_PUBLIC_ORIGIN, 'https://93.184.216.34/hook')).toBeUndefined();
    for (const [url, why] of [
      ['http://hooks.acme.example/jobrelay', /https only/],
      ['https://u:p@hooks.acme.example/', /credentials/],
      ['https://127.0.0.1/hook', /address not allowed.*JOBRELAY_ALLOWED_WEBHOOK_ORIGINS/],
      ['https://169.254.169.254/latest', /address not allowed/],
      ['https://192.168.1.10/hook', /address not allowed/],
      ['https://[fd00::1]/hook', /address not allowed/],
      ['https://[::ffff:10.0.0.1]/hook', /address not allowed/],
      ['https://localhost/hook', /loopback is not allowed/],
      ['ftp://hooks.acme.example/', /not an http\(s\) URL/],
    ] as const)
      expect([url, policy.refusal(ANY_PUBLIC_ORIGIN, url)]).toEqual([url, expect.stringMatching(why)]);
    const allowing = new OriginPolicy(['http://127.0.0.1:*', '10.1.0.0/16']);
    expect(allowing.refusal(ANY_PUBLIC_ORIGIN, 'http://127.0.0.1:8080/hook')).toBeUndefined();
    expect(allowing.refusal(ANY_PUBLIC_ORIGIN, 'https://10.1.2.3/hook')).toBeUndefined();
    expect(allowing.refusal(ANY_PUBLIC_ORIGIN, 'https://10.2.0.1/hook')).toMatch(/address not allowed/);
  });

  it('checks the address a name resolves to on every connection: a public name pointing at loopback gets nothing', async () => {
    const target = await listen((_req, res) => res.writeHead(204).end());
    const rebinding = ((_host: string, _opts: unknown, cb: (err: null, a: LookupAddress[]) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }])) as never;
    const send = createWebhookSender(new OriginPolicy([], rebinding, 'JOBRELAY_ALLOWED_WEBHOOK_ORIGINS'), 3000);
    const result = await send(`https://hooks.acme.example:${target.port}/hook`, event, ['whsec_x']);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/resolved to 127\.0\.0\.1, an address not allowed/) });
    expect(target.served).toEqual([]);
    await target.close();
  });

  it('follows no redirect: a 3xx is a failed attempt, and its target gets nothing', async () => {
    const elsewhere = await listen((_req, res) => res.writeHead(204).end());
    const redirecting = await listen((_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${elsewhere.port}/x` }).end());
    const send = createWebhookSender(new OriginPolicy(['http://127.0.0.1:*']), 3000);
    expect(await send(`http://127.0.0.1:${redirecting.port}/hook`, event, ['whsec_x'])).toEqual({
      ok: false,
      statusCode: 307,
      error: 'answered HTTP 307',
    });
    expect(redirecting.served).toEqual(['POST /hook']);
    expect(elsewhere.served).toEqual([]);
    await Promise.all([elsewhere.close(), redirecting.close()]);
  });

  it('gives a subscriber ten seconds (here three): a slow answer is a failed attempt', async () => {
    const slow = await listen((_req, res) => setTimeout(() => res.writeHead(204).end(), 1500));
    const send = createWebhookSender(new OriginPolicy(['http://127.0.0.1:*']), 500);
    expect(await send(`http://127.0.0.1:${slow.port}/hook`, event, ['whsec_x'])).toEqual({
      ok: false,
      error: expect.stringMatching(/timeout/i),
    });
    await slow.close();
  });
});
