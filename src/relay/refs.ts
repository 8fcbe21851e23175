// What a relay's workflows carry and how they are named: ids only (workflow-safe, no runtime imports).

/** One candidate of the tool for one ATS recruitment: the delivery workflow's only input. */
export interface DeliveryRef {
  connectorId: string;
  candidateId: string;
  recruitmentId: string;
}

/** How a delivery ended, as its workflow returns it (ids and reasons only). */
export type DeliveryOutcome = { outcome: 'delivered'; applicationId: string; duplicate: boolean } | { outcome: 'refused'; reason: string };

/** The delivery workflow's type: the hand-over starts it by this name. */
export const DELIVERY_WORKFLOW = 'candidateDelivery';

/** A business key: a second start for the same candidate and recruitment joins the delivery under way. */
export const deliveryWorkflowId = (ref: DeliveryRef) => `delivery:${ref.connectorId}:${ref.candidateId}:${ref.recruitmentId}`;

/** The connector's Temporal Schedule of the daily status sync. */
export const statusSyncScheduleId = (connectorId: string) => `status-sync:${connectorId}`;

/** The base of each run's workflow id (the Schedule appends the time it fired). */
export const statusSyncWorkflowId = (connectorId: string) => `status-sync:${connectorId}`;

export interface StatusRunInput {
  connectorId: string;
}

/** The token bucket key of one side of a connector (shared by its sync stream and its relay activities). */
export const sideLimiterKey = (connectorId: string, side: 'ats' | 'tool') => `${connectorId}:${side}`;

/** Refused for want of a source id: choosing one delivers these again. */
export const NO_SOURCE_REASON = 'no source ID chosen: pick the publication place with PUT /v1/connectors/:id/source';
