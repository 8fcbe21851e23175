import type { SecretBox } from '../crypto/secrets';

export const DELIVERY_PURPOSE = 'direct-apply';

/**
 * Where a board delivers a posting's applications: our webhook with the posting id and a secret
 * derived from it (HMAC with the server key), so each posting's URL authenticates only itself.
 */
export function directApplyUrl(publicUrl: string, board: string, postingId: string, secrets: SecretBox): string {
  const url = new URL(`${publicUrl}/v1/webhooks/${board}/applications`);
  url.searchParams.set('posting', postingId);
  url.searchParams.set('token', secrets.derive(DELIVERY_PURPOSE, postingId));
  return url.toString();
}

/** Whether `token` is the one `directApplyUrl` gave the board for this posting; compared in constant time. */
export function postingTokenValid(secrets: SecretBox, postingId: unknown, token: unknown): boolean {
  return typeof postingId === 'string' && typeof token === 'string' && secrets.verify(DELIVERY_PURPOSE, postingId, token);
}
