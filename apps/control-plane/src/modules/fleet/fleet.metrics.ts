import { Gauge, Histogram, type Registry } from 'prom-client';
import { withTimeout } from '../../common/with-timeout';
import type { DataPlaneHello, DataPlaneStore, StreamIdentity } from './data-plane';
import type { DataPlaneDto } from './dto/data-plane.dto';
import type { FleetService } from './fleet.service';

/** A scrape waits this long for PostgreSQL, then leaves the last values. */
const QUERY_TIMEOUT_MS = 2_000;

export type DataPlaneMetricState = 'in_sync' | 'lagging' | 'rejecting';

/** Where a connected data plane stands for `gateway_data_planes`. */
export function metricStateOf(
  dataPlane: Pick<DataPlaneDto, 'inSync' | 'activeVersion' | 'lastNack'>,
): DataPlaneMetricState {
  if (dataPlane.inSync) return 'in_sync';
  return dataPlane.lastNack !== null && dataPlane.lastNack.version > (dataPlane.activeVersion ?? 0)
    ? 'rejecting'
    : 'lagging';
}

/** When a snapshot version was committed (its `createdAt`). */
export type CommitTimeOf = (version: number) => Promise<Date>;

/**
 * The fleet's metrics on this replica: `gateway_data_planes` by state, counting the data planes whose stream this
 * replica holds (so that a sum over replicas counts each once), read from the registry at scrape time; and
 * `gateway_config_propagation_seconds`, from a snapshot's commit to each data plane's Ack of it, observed by the
 * store that records the Acks this replica receives (`observing`).
 */
export class FleetMetrics {
  private readonly propagation: Histogram;

  constructor(
    registry: Registry,
    fleet: Pick<FleetService, 'list'>,
    instanceId: string,
    private readonly commitTimeOf: CommitTimeOf,
  ) {
    new Gauge({
      name: 'gateway_data_planes',
      help: 'Connected data planes whose stream this replica holds, by state (in_sync, lagging, rejecting)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const list = await withTimeout(fleet.list(), QUERY_TIMEOUT_MS, 'PostgreSQL').catch(() => undefined);
        if (list === undefined) return;
        const counts: Record<DataPlaneMetricState, number> = { in_sync: 0, lagging: 0, rejecting: 0 };
        for (const dataPlane of list.items) {
          if (dataPlane.connected && dataPlane.controlPlaneInstance === instanceId) counts[metricStateOf(dataPlane)]++;
        }
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
    this.propagation = new Histogram({
      name: 'gateway_config_propagation_seconds',
      help: 'Time from the commit of a config snapshot to a data plane acknowledging it, in seconds',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
  }

  /** `store`, observing the propagation time of every Ack it records. */
  observing(store: DataPlaneStore): DataPlaneStore {
    return new AckTimingStore(store, (version, ackedAt) => void this.observeAck(version, ackedAt));
  }

  private async observeAck(version: number, ackedAt: number): Promise<void> {
    try {
      const committedAt = (await this.commitTimeOf(version)).getTime();
      if (ackedAt >= committedAt) this.propagation.observe((ackedAt - committedAt) / 1000);
    } catch {
      // The snapshot is gone or PostgreSQL is down: this Ack goes unmeasured.
    }
  }
}

/** A DataPlaneStore that reports each Ack it recorded, with the time it arrived. */
class AckTimingStore implements DataPlaneStore {
  constructor(
    private readonly store: DataPlaneStore,
    private readonly acked: (version: number, ackedAt: number) => void,
  ) {}

  register(hello: DataPlaneHello, stream: StreamIdentity): Promise<void> {
    return this.store.register(hello, stream);
  }

  async recordAck(dataPlaneId: string, ack: { version: number; hash: string; applyMs: number }): Promise<void> {
    const ackedAt = Date.now();
    await this.store.recordAck(dataPlaneId, ack);
    this.acked(ack.version, ackedAt);
  }

  recordNack(dataPlaneId: string, nack: { version: number; reasons: readonly string[] }): Promise<void> {
    return this.store.recordNack(dataPlaneId, nack);
  }

  recordWithheld(dataPlaneId: string, withheld: { version: number; reason: string }): Promise<void> {
    return this.store.recordWithheld(dataPlaneId, withheld);
  }

  recordDivergence(
    dataPlaneId: string,
    divergence: { version: number; expectedHash: string; reportedHash: string },
  ): Promise<void> {
    return this.store.recordDivergence(dataPlaneId, divergence);
  }

  markDisconnected(dataPlaneId: string, connectionId: string): Promise<void> {
    return this.store.markDisconnected(dataPlaneId, connectionId);
  }

  touch(connectionIds: readonly string[]): Promise<void> {
    return this.store.touch(connectionIds);
  }
}
