import type { RunningSandboxes } from '../providers/sandboxes';

type Call = <T = { id: string }>(method: string, path: string, body?: unknown) => Promise<T>;

const DEMO_CONNECTOR = 'Demo eRecruiter + inhire';

/**
 * inhire ↔ eRecruiter on the pair's sandbox, as seed 004 sets it up: the partner key and inhire's key connected,
 * the publication place made for inhire imported as the source ID, the status sync switched on (one stage of the
 * company's own waits to be mapped), and three candidates inhire approved delivered into a recruitment.
 */
export async function runRelayDemo({
  call,
  sandboxes,
  apiUrl,
  log,
}: {
  call: Call;
  sandboxes: RunningSandboxes;
  apiUrl: string;
  log: (line: string) => void;
}) {
  const sandbox = sandboxes.urlFor('erecruiter-inhire');
  const control = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${sandbox}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  // The sandbox starts empty at each start: the company's own stage and an open recruitment that ticked inhire.
  await control('/erecruiter/_sandbox/stages', { name: 'Zadanie rekrutacyjne' });
  const recruitment = await control<{ id: number }>('/erecruiter/_sandbox/recruitments', {
    name: 'Senior Java Developer',
    partnerEnabled: true,
  });

  const existing = await call<{ items: Array<{ id: string; name: string }> }>('GET', '/v1/connectors?provider=erecruiter-inhire');
  const connector: { id: string } =
    existing.items.find((c) => c.name === DEMO_CONNECTOR) ??
    (await call<{ id: string }>('POST', '/v1/connectors', {
      provider: 'erecruiter-inhire',
      name: DEMO_CONNECTOR,
      credentials: { erecruiter: { accessKey: 'erec-partner-key-0001' }, inhire: { apiKey: 'inhire-sandbox-key-0001' } },
      settings: {
        erecruiterBaseUrl: `${sandbox}/erecruiter/v1.1`,
        erecruiterAuthUrl: `${sandbox}/erecruiter-auth`,
        inhireBaseUrl: `${sandbox}/inhire/api/v1`,
        companyId: 4321,
        scope: 'all',
        deliveryIntervalMinutes: 1,
      },
    }));
  const { sources } = await call<{ sources: Array<{ id: string; name: string }> }>('GET', `/v1/connectors/${connector.id}/sources`);
  const inhire = sources.find((s) => s.name === 'inhire.io') ?? sources[0];
  await call('PUT', `/v1/connectors/${connector.id}/source`, { sourceId: inhire.id });
  const sync = await call<{ time: string; timezone: string; scheduleId: string }>('POST', `/v1/connectors/${connector.id}/status-sync`, {});
  const mapping = await call<{ unmapped: string[] }>('GET', `/v1/connectors/${connector.id}/status-mapping`);

  await control('/inhire/_sandbox/candidates', { recruitmentId: recruitment.id, count: 3 });
  await call('POST', `/v1/connectors/${connector.id}/sync`, {}).catch(() => undefined); // else within the minute

  const base = `${apiUrl}/v1/connectors/${connector.id}`;
  log(
    `eRecruiter + inhire connector ${connector.id}: 3 inhire candidates go into eRecruiter recruitment ${recruitment.id}: GET ${base}/deliveries`,
  );
  log(
    `  status sync daily at ${sync.time} ${sync.timezone} (Temporal Schedule ${sync.scheduleId}); waiting to be mapped: ${mapping.unmapped.join(', ') || 'none'}: GET ${base}/status-mapping`,
  );
}
