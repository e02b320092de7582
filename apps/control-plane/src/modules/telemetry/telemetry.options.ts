/** Timings and windows of the telemetry aggregation; one set per control-plane replica. */
export interface TelemetryOptions {
  /** Width of an aggregation bucket. */
  readonly bucketMs: number;
  /** How much history each replica keeps in memory (older windows are read from PostgreSQL when asked for). */
  readonly horizonMs: number;
  /** Write-behind: how often reports received are stored (and acknowledged) and other replicas' writes read. */
  readonly flushIntervalMs: number;
  /** How long buckets stay in PostgreSQL. */
  readonly retentionMs: number;
  readonly pruneIntervalMs: number;
  /** A data plane's newest report counts (breakers, connections) for this long, or three of its windows. */
  readonly currentForMs: number;
  /** The window of `GET metrics` and of a route's `statistics`. */
  readonly statisticsWindowMs: number;
  /** The window of the health endpoint's `requestsPerSecond`. */
  readonly rateWindowMs: number;
  /** Rows changed this long before the last read are read again (transactions that committed late). */
  readonly rereadMarginMs: number;
}

/** Nest injection token of the TelemetryOptions. */
export const TELEMETRY_OPTIONS = Symbol('TELEMETRY_OPTIONS');

export const DEFAULT_TELEMETRY_OPTIONS: TelemetryOptions = Object.freeze({
  bucketMs: 10_000,
  horizonMs: 15 * 60_000,
  flushIntervalMs: 1_000,
  retentionMs: 60 * 60_000,
  pruneIntervalMs: 60_000,
  currentForMs: 30_000,
  statisticsWindowMs: 5 * 60_000,
  rateWindowMs: 60_000,
  rereadMarginMs: 10_000,
});
