/** What /health reads of the ingest: messages received and not yet committed (provided by EventBatcher). */
export abstract class IngestBacklog {
  abstract readonly backlog: number;
}
