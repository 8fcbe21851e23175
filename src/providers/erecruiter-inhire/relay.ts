import { ApplicationFailure } from '@temporalio/common';
import { ProviderErrorType } from '../../domain/failures';
import type { DeliveryResult, ReadyCandidate, RelayConnection, RelayContext, RelayEntry } from '../../relay/types';
import { refusalOf } from '../errors';
import { ErecruiterClient, erecruiterErrorCode } from './erecruiter-client';
import { InhireClient } from './inhire-client';
import { DEFAULT_STAGE_MAPPING, INHIRE_STATUSES, toApplication, toRecruitment, toStage } from './mapping';
import type { ErecruiterInhireCredentials, ErecruiterInhireSettings } from './settings';

type Context = RelayContext<ErecruiterInhireSettings, ErecruiterInhireCredentials>;

/** eRecruiter's side of a connector: the access key (or password grant), the company, paced by its own bucket. */
export function erecruiterClient(ctx: Pick<Context, 'settings' | 'credentials' | 'heartbeat' | 'origins'>, limiter?: Context['limiter']) {
  const { settings, credentials } = ctx;
  return new ErecruiterClient({
    baseUrl: settings.erecruiterBaseUrl,
    authUrl: settings.erecruiterAuthUrl,
    companyId: settings.companyId,
    auth: credentials.erecruiter,
    origins: ctx.origins,
    limiter: limiter?.('ats'),
    onWait: ctx.heartbeat,
  });
}

export function inhireClient(ctx: Pick<Context, 'settings' | 'credentials' | 'heartbeat' | 'origins'>, limiter?: Context['limiter']) {
  return new InhireClient({
    baseUrl: ctx.settings.inhireBaseUrl,
    apiKey: ctx.credentials.inhire.apiKey,
    origins: ctx.origins,
    limiter: limiter?.('tool'),
    onWait: ctx.heartbeat,
  });
}

/** A refusal of this one application (not of our credentials): the recruitment, or a field of the candidate. */
function refusalOfApplication(err: unknown): DeliveryResult | undefined {
  const refusal = refusalOf(err);
  if (!(err instanceof ApplicationFailure) || !refusal?.status) return undefined;
  const code = erecruiterErrorCode(refusal.body);
  if (refusal.status === 403 && code === 'PartnerNotAllowed')
    return {
      outcome: 'refused',
      reason: 'the recruitment is not shared with inhire in eRecruiter (PartnerNotAllowed)',
      detail: err.message,
    };
  if (err.type === ProviderErrorType.Validation)
    return {
      outcome: 'refused',
      reason: `eRecruiter refused the application (HTTP ${refusal.status}${code ? `, ${code}` : ''})`,
      detail: err.message,
    };
  return undefined;
}

class PairConnection implements RelayConnection {
  private readonly erecruiter: ErecruiterClient;
  private readonly inhire: InhireClient;

  constructor(private readonly ctx: Context) {
    this.erecruiter = erecruiterClient(ctx, ctx.limiter);
    this.inhire = inhireClient(ctx, ctx.limiter);
  }

  get requests(): number {
    return this.erecruiter.requests + this.inhire.requests;
  }

  async sources() {
    return (await this.erecruiter.origins()).map((o) => ({ id: o.id, name: o.name }));
  }

  async recruitments() {
    return (await this.erecruiter.recruitments()).map((r) => toRecruitment(r, this.ctx.settings.scope));
  }

  /**
   * With scope `selected` the recruitment is looked up in the list (which says whether it ticked the partner), so a
   * recruitment that did not is never read. With `all` every recruitment is in scope: no request (a recruitment
   * eRecruiter does not have refuses the application itself, 404).
   */
  async recruitment(id: string) {
    if (this.ctx.settings.scope === 'all') return { id, name: '', inScope: true };
    return (await this.recruitments()).find((r) => r.id === id);
  }

  async deliver(candidate: ReadyCandidate, sourceId: string): Promise<DeliveryResult> {
    const cv = await this.cvOf(candidate);
    try {
      const posted = await this.erecruiter.createApplication(candidate.recruitmentId, {
        ...candidate.person,
        originId: sourceId,
        externalId: candidate.candidateId,
        ...(cv && { cv: { fileName: cv.fileName, contentType: cv.contentType, base64: cv.content.toString('base64') } }),
      });
      return { outcome: 'delivered', applicationId: posted.applicationId, duplicate: posted.duplicate };
    } catch (err) {
      const refused = refusalOfApplication(err);
      if (refused) return refused;
      throw err;
    }
  }

  /** The CV inhire holds for the candidate; none when it has none (404). */
  private async cvOf(candidate: ReadyCandidate) {
    try {
      return await this.inhire.cv(candidate.candidateId, candidate.cvUrl);
    } catch (err) {
      if (refusalOf(err)?.status === 404) return undefined;
      throw err;
    }
  }

  async reportDelivery(candidateId: string, result: DeliveryResult) {
    await this.inhire.reportDelivery(
      candidateId,
      result.outcome === 'delivered'
        ? { atsDelivery: 'delivered', atsApplicationId: result.applicationId }
        : { atsDelivery: 'refused', atsError: result.reason },
    );
  }

  async stages() {
    return (await this.erecruiter.stages()).map(toStage);
  }

  async applications(recruitmentId: string, page: string | undefined) {
    const offset = Number(page ?? 0);
    const items = (await this.erecruiter.applicationsPage(recruitmentId, offset)).map(toApplication);
    // eRecruiter's pages go on until an empty one.
    return { items, next: items.length > 0 ? String(offset + items.length) : undefined };
  }

  async stageHistory(applicationId: string) {
    return (await this.erecruiter.stagesHistory(applicationId)).map((c) => ({ stageId: c.stageId, changedAt: c.changedAt }));
  }

  async pushStatus(candidateId: string, status: string, changedAt: string) {
    await this.inhire.setStatus(candidateId, status, changedAt);
  }
}

/** inhire → eRecruiter: candidates delivered into eRecruiter recruitments, eRecruiter's stage changes synced back. */
export const erecruiterInhireRelay: RelayEntry<ErecruiterInhireSettings, ErecruiterInhireCredentials> = {
  names: { ats: 'eRecruiter', tool: 'inhire' },
  statuses: INHIRE_STATUSES,
  lockedStages: DEFAULT_STAGE_MAPPING,
  connect: (ctx) => new PairConnection(ctx),
};
