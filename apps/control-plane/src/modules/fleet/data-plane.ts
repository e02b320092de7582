/** What a data plane says about itself when its stream opens (its Hello). */
export interface DataPlaneHello {
  readonly dataPlaneId: string;
  readonly hostname: string;
  readonly buildVersion: string;
  /** Highest snapshot schema version it understands. */
  readonly schemaVersion: number;
  /** The snapshot it runs now; null when it runs none. */
  readonly activeVersion: number | null;
  readonly activeHash: string | null;
}

/** One open stream: which replica holds it, under which id. */
export interface StreamIdentity {
  readonly controlPlaneInstance: string;
  readonly connectionId: string;
}

/** The registry's row of one data plane. */
export interface DataPlaneRecord {
  readonly dataPlaneId: string;
  readonly hostname: string;
  readonly buildVersion: string;
  readonly schemaVersion: number;
  /** Its stream is open and its replica refreshed the row recently. */
  readonly isConnected: boolean;
  readonly controlPlaneInstance: string | null;
  readonly activeVersion: number | null;
  readonly activeHash: string | null;
  /** Time the data plane spent applying its active snapshot, in milliseconds. */
  readonly lastApplyMs: number | null;
  readonly lastSeenAt: Date;
  readonly lastAckAt: Date | null;
  readonly lastNack: { readonly version: number; readonly reasons: readonly string[]; readonly at: Date } | null;
  /** A snapshot the control plane did not push to it, and why. */
  readonly withheld: { readonly version: number; readonly reason: string; readonly at: Date } | null;
  /** The last time it reported running a version with another hash than the control plane's. */
  readonly divergence: DataPlaneDivergence | null;
  readonly connectedAt: Date | null;
  readonly firstSeenAt: Date;
}

/** A data plane runs a version whose hash differs from the control plane's snapshot of that version. */
export interface DataPlaneDivergence {
  readonly version: number;
  readonly expectedHash: string;
  readonly reportedHash: string;
  readonly at: Date;
  /** When an Ack (after the re-sync) or a new stream ended it; null while it lasts. */
  readonly resolvedAt: Date | null;
}

/** The newest stored snapshot's identity. */
export interface SnapshotHead {
  readonly version: number;
  readonly hash: string;
}

/** Persistence of the registry, as the discovery streams use it. */
export interface DataPlaneStore {
  /**
   * Creates or refreshes the row of a data plane whose stream just said Hello; marks it connected and resolves a
   * divergence in progress (the new stream judges its Hello afresh).
   */
  register(hello: DataPlaneHello, stream: StreamIdentity): Promise<void>;
  /** Records what it runs after an Ack; resolves a divergence in progress. */
  recordAck(dataPlaneId: string, ack: { version: number; hash: string; applyMs: number }): Promise<void>;
  recordNack(dataPlaneId: string, nack: { version: number; reasons: readonly string[] }): Promise<void>;
  recordWithheld(dataPlaneId: string, withheld: { version: number; reason: string }): Promise<void>;
  /** Records that it runs `version` with `reportedHash` (its active hash from now on) instead of `expectedHash`. */
  recordDivergence(
    dataPlaneId: string,
    divergence: { version: number; expectedHash: string; reportedHash: string },
  ): Promise<void>;
  /** Marks it disconnected, unless the row already belongs to a newer stream. */
  markDisconnected(dataPlaneId: string, connectionId: string): Promise<void>;
  /** Refreshes `last_seen_at` of the rows held by these streams. */
  touch(connectionIds: readonly string[]): Promise<void>;
}
