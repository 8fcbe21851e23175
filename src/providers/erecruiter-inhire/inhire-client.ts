import { ProviderHttp } from '../http';
import type { OriginPolicy } from '../origins';
import type { TokenBucket } from '../rate-limit';
import { InhireCandidatesPage } from './schemas';
import { INHIRE_ORIGINS } from './settings';

export interface InhireClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Where the key may go (the client binds to it). */
  origins: OriginPolicy;
  limiter?: TokenBucket;
  onWait?: () => void;
  attempts?: number;
  baseDelayMs?: number;
}

/** How a delivery ended, as inhire records it on its candidate. */
export type DeliveryReport = { atsApplicationId: string; atsDelivery: 'delivered' } | { atsDelivery: 'refused'; atsError: string };

/** inhire's API (the sourcing tool) on the shared provider HTTP policy: its API key as a bearer token. */
export class InhireClient {
  private readonly http: ProviderHttp;

  constructor(options: InhireClientOptions) {
    this.http = new ProviderHttp({
      provider: 'inhire',
      baseUrl: options.baseUrl,
      origins: options.origins,
      knownOrigins: INHIRE_ORIGINS,
      headers: { accept: 'application/json', 'user-agent': 'jobrelay', authorization: `Bearer ${options.apiKey}` },
      limiter: options.limiter,
      attempts: options.attempts ?? 5,
      baseDelayMs: options.baseDelayMs,
      onWait: options.onWait,
    });
  }

  get requests(): number {
    return this.http.requests;
  }

  /** One page of the candidates a recruiter approved for eRecruiter and not yet sent, changed after `updatedAfter`. */
  readyCandidates(updatedAfter: string | undefined, cursor: string | undefined) {
    // Only the documented parameters: the page size is inhire's.
    const params = { ats: 'erecruiter', status: 'ready', updated_after: updatedAfter, cursor };
    return this.http.json('candidates', { url: 'candidates', params }, InhireCandidatesPage);
  }

  /** The candidate's CV file (`cvUrl` when inhire gave one on its own host, else `candidates/{id}/cv`). */
  async cv(candidateId: string, cvUrl?: string | null): Promise<{ content: Buffer; contentType: string; fileName: string }> {
    const url = cvUrl ? this.http.sameOrigin(cvUrl) : `candidates/${encodeURIComponent(candidateId)}/cv`;
    const res = await this.http.request<ArrayBuffer>({ url, responseType: 'arraybuffer' });
    const disposition = String(res.headers['content-disposition'] ?? '');
    return {
      content: Buffer.from(res.data),
      contentType: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0],
      fileName: /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? 'cv',
    };
  }

  /** Records on inhire's candidate what became of its delivery (PATCH: the same report twice changes nothing). */
  async reportDelivery(candidateId: string, report: DeliveryReport): Promise<void> {
    await this.http.request({ method: 'patch', url: `candidates/${encodeURIComponent(candidateId)}`, data: report });
  }

  /** Sets the candidate's pipeline status (PUT: the same change twice changes nothing). */
  async setStatus(candidateId: string, status: string, changedAt: string): Promise<void> {
    await this.http.request({
      method: 'put',
      url: `candidates/${encodeURIComponent(candidateId)}/status`,
      data: { status, source: 'erecruiter', changedAt },
    });
  }
}
