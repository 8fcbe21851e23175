// The status model `GET /v1/connectors/:id` shows, as the workflow's `status` query returns it.
export type { ConnectorStatus, StreamStatus } from '../domain/connector';
