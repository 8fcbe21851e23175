import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Deps } from '../src/deps';
import { CONNECTOR_CONFIG_ERROR, ProviderErrorType } from '../src/domain/failures';
import type { StatusRun } from '../src/domain/relay';
import { statusSyncCompleted } from '../src/events/catalog';
import { countErasedReturn } from '../src/privacy/metrics';
import { phoneCountryOf, providers } from '../src/providers';
import { sharedLimiter } from '../src/providers/rate-limit';
import { erasedAmong } from '../src/relay/hand-over';
import { type DeliveryOutcome, type DeliveryRef, NO_SOURCE_REASON, sideLimiterKey } from '../src/relay/refs';
import { changesIn, RunTallier, type RunTally, type RunWindow, runWindow, settle } from '../src/relay/status-run';
import type { AtsApplication, AtsStage, DeliveryResult, RelayConnection, RelayEntry, Source, StageChange } from '../src/relay/types';
import type { StagedDelivery } from '../src/store/relay';
import { credentialsOriginOf } from '../src/sync/credential-origins';
import { inOrder } from '../src/sync/in-order';
import { ERASED_REASON } from '../src/sync/writes';

/** A status-sync run as it began: what it reads, with which mapping, in which recruitments. */
export interface RunPlan {
  runId: string;
  connectorId: string;
  mappingVersion: number;
  window: RunWindow;
  enabledAt: number;
  /** The recruitments in scope that hold applications the tool delivered. */
  recruitments: string[];
}

export interface RunPageRequest extends RunPlan {
  recruitmentId: string;
  page?: string;
}

/** Stage histories fetched ahead while a page's applications are worked through in order (the bucket paces them). */
const HISTORY_CONCURRENCY = 4;
const HEARTBEAT_EVERY_MS = 2_000;

const IGNORED_OLD = 'created before the status sync was enabled';
const IGNORED_NOT_OURS = 'not delivered through this connector';
const ALREADY_PUSHED = 'already pushed';
const SUPERSEDED = 'superseded by a later change';

/**
 * The relay's activities: each delivery's steps and each status-sync run's pages. Workflows pass ids; the staged
 * candidate, settings and credentials are read here, from the store.
 */
export function createRelayActivities({ store, metrics, origins, config }: Pick<Deps, 'store' | 'metrics' | 'origins' | 'config'>) {
  async function open(connectorId: string, heartbeat: () => void = () => {}) {
    const connector = await store.connectors.get(connectorId);
    if (!connector) throw ApplicationFailure.nonRetryable(`connector ${connectorId} does not exist`, CONNECTOR_CONFIG_ERROR);
    const entry = providers[connector.provider];
    if (!entry?.relay || !entry.sync)
      throw ApplicationFailure.nonRetryable(`provider ${connector.provider} relays nothing`, CONNECTOR_CONFIG_ERROR);
    const settings = entry.sync.settings.safeParse(connector.settings);
    if (!settings.success) throw ApplicationFailure.nonRetryable('stored settings no longer validate', CONNECTOR_CONFIG_ERROR);
    // Credentials go only to the origins they were saved for: a base URL changed since needs them entered again.
    const origin = credentialsOriginOf(entry.sync, settings.data, entry.origins);
    if (connector.credentialsOrigin && connector.credentialsOrigin !== origin)
      throw ApplicationFailure.nonRetryable(
        `the credentials were saved for ${connector.credentialsOrigin}, not ${origin}: enter them again`,
        ProviderErrorType.Auth,
      );
    const credentials = entry.sync.credentials.safeParse(await store.connectors.credentials(connectorId));
    if (!credentials.success) throw ApplicationFailure.nonRetryable('stored credentials are incomplete', CONNECTOR_CONFIG_ERROR);
    const rate = entry.sync.rateLimit(settings.data);
    const relay = entry.relay as RelayEntry<{ sourceId?: string }>;
    const connection = relay.connect({
      settings: settings.data as { sourceId?: string },
      credentials: credentials.data,
      origins,
      limiter: (side) => sharedLimiter(sideLimiterKey(connectorId, side), rate),
      heartbeat,
    });
    return { relay, connection, settings: settings.data as { sourceId?: string }, provider: connector.provider };
  }

  async function staged(ref: DeliveryRef): Promise<StagedDelivery> {
    const delivery = await store.relay.delivery(ref);
    if (!delivery) throw ApplicationFailure.nonRetryable(`no delivery staged for candidate ${ref.candidateId}`, CONNECTOR_CONFIG_ERROR);
    return delivery;
  }

  /** Why the candidate cannot go into the recruitment, before asking the ATS to take them. */
  async function refusalBeforeDelivery(delivery: StagedDelivery, connection: RelayConnection, relay: RelayEntry, sourceId?: string) {
    if (!sourceId) return NO_SOURCE_REASON;
    if (!delivery.person) return `the candidate is no longer staged: mark them ready in ${relay.names.tool} again`;
    const recruitment = await connection.recruitment(delivery.recruitmentId);
    if (!recruitment) return `${relay.names.ats} has no recruitment ${delivery.recruitmentId}`;
    if (!recruitment.inScope)
      return `recruitment ${delivery.recruitmentId} is not shared with ${relay.names.tool} (access scope "selected")`;
    return undefined;
  }

  const outcomeOf = (d: StagedDelivery): DeliveryOutcome | undefined =>
    d.state === 'delivered' && d.applicationId
      ? { outcome: 'delivered', applicationId: d.applicationId, duplicate: d.duplicate }
      : d.state === 'refused' || d.state === 'erased'
        ? { outcome: 'refused', reason: d.reason ?? d.state }
        : undefined;

  /** A push of one change, recorded once; a refusal of this change by the tool is a failure of this change only. */
  async function push(
    connection: RelayConnection,
    tally: RunTallier,
    change: StageChange & { applicationId: string; candidateId: string; status: string; runId: string; connectorId: string },
  ): Promise<boolean> {
    try {
      await connection.pushStatus(change.candidateId, change.status, change.changedAt);
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === ProviderErrorType.Validation) {
        tally.add('failed', err.message);
        return false;
      }
      throw err;
    }
    await store.relay.recordPush(change.connectorId, change);
    tally.add('pushed');
    return true;
  }

  /**
   * Settles stage changes of these applications for one run, each once: pushed before, superseded, held while its
   * stage is unmapped (counted once per run), or pushed now; a change that waited in the held list leaves it.
   */
  async function settlerFor(
    connection: RelayConnection,
    tally: RunTallier,
    run: { connectorId: string; runId: string; mappingVersion: number },
    applicationIds: string[],
    readByPage: boolean,
  ) {
    const { connectorId, runId } = run;
    const [mapping, sync, pushed, held] = await Promise.all([
      store.relay.mapping(connectorId, run.mappingVersion),
      store.relay.statusSync(connectorId),
      store.relay.pushes(connectorId, applicationIds),
      store.relay.held(connectorId, applicationIds),
    ]);
    const names = new Map((sync?.stages ?? []).map((s) => [s.id, s.name]));
    const key = (c: StageChange & { applicationId: string }) => `${c.applicationId}|${c.stageId}|${Date.parse(c.changedAt)}`;
    const waiting = new Set(held.map(key));
    return {
      async settle(change: StageChange & { applicationId: string; candidateId: string }): Promise<void> {
        const done = pushed.get(change.applicationId) ?? [];
        const settlement = settle(change, done, runId, mapping, (id) => names.get(id));
        if (settlement.kind === 'hold') {
          // Read by a page: held, marked with this run (the held list's pass then leaves it to the page's count).
          if (readByPage) await store.relay.hold(connectorId, { ...change, runId });
          tally.add('unmapped', settlement.reason);
          return;
        }
        if (settlement.kind === 'pushed-before')
          tally.add(settlement.byThisRun ? 'pushed' : 'unchanged', settlement.byThisRun ? undefined : ALREADY_PUSHED);
        else if (settlement.kind === 'superseded') tally.add('unchanged', SUPERSEDED);
        else if (await push(connection, tally, { ...change, connectorId, runId, status: settlement.status })) {
          pushed.set(change.applicationId, [...done, { stageId: change.stageId, changedAt: change.changedAt, runId }]);
        }
        if (waiting.delete(key(change))) await store.relay.release(connectorId, change);
      },
    };
  }

  function withHeartbeat<T>(run: () => Promise<T>): Promise<T> {
    const activity = Context.current();
    const ticker = setInterval(() => activity.heartbeat(), HEARTBEAT_EVERY_MS);
    return run().finally(() => clearInterval(ticker));
  }

  return {
    /**
     * Delivers the staged candidate into their recruitment, tagged with the source: done already → its outcome;
     * refused by a rule or by the ATS → why; delivered (or the ATS's existing application for them) → its id.
     */
    async deliverCandidate(ref: DeliveryRef): Promise<DeliveryOutcome> {
      const delivery = await staged(ref);
      const done = outcomeOf(delivery);
      if (done) return done;
      const { relay, connection, settings, provider } = await open(ref.connectorId, () => Context.current().heartbeat());
      // Erased since the hand-over (or handed over again by a retry): never sent to the ATS.
      const phoneCountry = phoneCountryOf(provider, config.defaultPhoneCountry);
      const [erased] = delivery.person
        ? await erasedAmong({ store, provider, phoneCountry }, [{ ...delivery, person: delivery.person }])
        : [false];
      if (erased) {
        await store.relay.markErased(ref);
        countErasedReturn(metrics, { provider, via: 'sync', action: 'refused' });
        return { outcome: 'refused', reason: ERASED_REASON };
      }
      const refusal = await refusalBeforeDelivery(delivery, connection, relay, settings.sourceId);
      const result: DeliveryResult = refusal
        ? { outcome: 'refused', reason: refusal }
        : await connection.deliver(
            { candidateId: delivery.candidateId, recruitmentId: delivery.recruitmentId, person: delivery.person!, cvUrl: delivery.cvUrl },
            settings.sourceId as string,
          );
      if (result.outcome === 'delivered') {
        const ended = !(await store.relay.markDelivered(ref, result));
        if (ended && (await store.relay.noteSentDuringErasure(ref, result.applicationId))) {
          // Erased while the ATS was being sent them: it holds them now, and the operator is told where.
          metrics.inc('jobrelay_relay_sent_during_erasure_total', 'Candidates an ATS received while their erasure was made', { provider });
          Context.current().log.warn('a relayed candidate reached the ATS while being erased: remove the application there', {
            connectorId: ref.connectorId,
            toolCandidateId: ref.candidateId,
            applicationId: result.applicationId,
          });
          return { outcome: 'refused', reason: ERASED_REASON };
        }
      } else await store.relay.markRefused(ref, result.reason, result.detail);
      metrics.inc('jobrelay_relay_deliveries_total', 'Candidates delivered into an ATS, by outcome', { outcome: result.outcome });
      return result.outcome === 'delivered'
        ? { outcome: 'delivered', applicationId: result.applicationId, duplicate: result.duplicate }
        : { outcome: 'refused', reason: result.reason };
    },

    /** Records the delivery's outcome on the tool's candidate, once. */
    async reportDelivery(ref: DeliveryRef): Promise<void> {
      const delivery = await staged(ref);
      const outcome = outcomeOf(delivery);
      if (delivery.reported || !outcome) return;
      const { connection } = await open(ref.connectorId);
      await connection.reportDelivery(ref.candidateId, outcome);
      await store.relay.markReported(ref);
    },

    async recordDeliveryFailure(ref: DeliveryRef, reason: string): Promise<void> {
      await store.relay.markFailed(ref, reason);
    },

    /** `sources`: the ATS's publication places; `stages`: every stage of the ATS. Read with the connector's credentials. */
    async lookUpRelay(connectorId: string, question: 'sources' | 'stages'): Promise<Source[] | AtsStage[]> {
      const { connection } = await open(connectorId);
      return question === 'sources' ? connection.sources() : connection.stages();
    },

    /** Records a run's start in the store (its window and mapping version): a retried start gets the same. */
    async beginStatusRun(input: { connectorId: string; runId: string; workflowId: string; startedAt: number }): Promise<RunPlan> {
      const sync = await store.relay.statusSync(input.connectorId);
      if (!sync) throw ApplicationFailure.nonRetryable(`connector ${input.connectorId} has no status sync enabled`, CONNECTOR_CONFIG_ERROR);
      const window = runWindow(sync.enabledAt, sync.syncedUntil, input.startedAt);
      const run = await store.relay.beginRun(input.connectorId, {
        id: input.runId,
        workflowId: input.workflowId,
        mappingVersion: sync.mappingVersion,
        since: window.since,
        until: window.until,
        newStages: [],
      });
      return {
        runId: run.id,
        connectorId: input.connectorId,
        mappingVersion: run.mappingVersion,
        window: { since: run.since, until: run.until },
        enabledAt: sync.enabledAt,
        recruitments: [],
      };
    },

    /** Reads the ATS's stages (a new one is reported by this run, unmapped) and the recruitments the run reads. */
    async planStatusRun(plan: RunPlan): Promise<RunPlan> {
      return withHeartbeat(async () => {
        const { connection } = await open(plan.connectorId, () => Context.current().heartbeat());
        const stages = await connection.stages();
        const added = await store.relay.recordStages(plan.connectorId, stages);
        if (added.length)
          await store.relay.noteNewStages(
            plan.runId,
            stages.filter((s) => added.includes(s.id)).map((s) => s.name),
          );
        const ours = new Set(await store.relay.deliveredRecruitments(plan.connectorId));
        const recruitments =
          ours.size === 0 ? [] : (await connection.recruitments()).filter((r) => r.inScope && ours.has(r.id)).map((r) => r.id);
        return { ...plan, recruitments };
      });
    },

    /**
     * One page of a recruitment's applications: for each the tool delivered after the enablement, its stage changes
     * in the run's window are mapped and pushed (each once), or held when their stage has no mapping.
     */
    async statusSyncPage(request: RunPageRequest): Promise<{ tally: RunTally; next?: string }> {
      return withHeartbeat(async () => {
        const { connectorId, runId, window } = request;
        const activity = Context.current();
        const { connection } = await open(connectorId, () => activity.heartbeat());
        const page = await connection.applications(request.recruitmentId, request.page);
        const tally = new RunTallier();
        const ours = await store.relay.deliveredApplications(
          connectorId,
          page.items.map((a) => a.id),
        );
        const eligible: Array<AtsApplication & { candidateId: string }> = [];
        for (const application of page.items) {
          const candidateId = ours.get(application.id);
          if (!candidateId) tally.add('ignored', IGNORED_NOT_OURS);
          else if (Date.parse(application.createdAt) < request.enabledAt) tally.add('ignored', IGNORED_OLD);
          else eligible.push({ ...application, candidateId });
        }
        const run = { connectorId, runId, mappingVersion: request.mappingVersion };
        const settler = await settlerFor(
          connection,
          tally,
          run,
          eligible.map((a) => a.id),
          true,
        );
        await inOrder(
          eligible,
          HISTORY_CONCURRENCY,
          (a) => connection.stageHistory(a.id),
          async (application, history) => {
            tally.application();
            const changes = changesIn(history, window);
            tally.read(changes.length);
            for (const change of changes)
              await settler.settle({ ...change, applicationId: application.id, candidateId: application.candidateId });
            activity.heartbeat();
          },
        );
        metrics.inc(
          'jobrelay_relay_requests_total',
          'Requests made by relay status-sync runs',
          { connector: connectorId },
          connection.requests,
        );
        return { tally: tally.result(), next: page.next };
      });
    },

    /**
     * The held changes not counted yet by this run: those whose stage is mapped now are pushed (unless a later change
     * of the application was pushed meanwhile), the others stay held and are reported again.
     */
    async releaseHeldChanges(plan: RunPlan): Promise<RunTally> {
      return withHeartbeat(async () => {
        const { connectorId, runId } = plan;
        const tally = new RunTallier();
        const held = (await store.relay.held(connectorId)).filter((h) => h.runId !== runId);
        if (held.length === 0) return tally.result();
        const { connection } = await open(connectorId, () => Context.current().heartbeat());
        const settler = await settlerFor(connection, tally, plan, [...new Set(held.map((h) => h.applicationId))], false);
        for (const change of held) await settler.settle(change);
        return tally.result();
      });
    },

    /** Ends the run: its counts and reasons; a good run moves where the next one starts; subscribers hear of it (`status_sync.completed`). */
    async finishStatusRun(input: { runId: string; state: 'succeeded' | 'failed'; tally: RunTally; error?: string }): Promise<StatusRun> {
      const run = await store.relay.finishRun(input.runId, input);
      await store.events.raise(statusSyncCompleted(run));
      return run;
    },
  };
}

export type RelayActivities = ReturnType<typeof createRelayActivities>;
