import type { DataPlaneRecord, SnapshotHead } from './data-plane';
import type { DataPlaneRepository } from './data-plane.repository';
import type { DataPlaneDto, DataPlaneListDto, DataPlaneState } from './dto/data-plane.dto';
import { DataPlaneNotFoundError } from './fleet.errors';
import type { StoredSnapshotSource } from './stored-snapshot.source';

/** The fleet view: which config version each data plane runs, when it last reported, why it rejected one. */
export class FleetService {
  constructor(
    private readonly dataPlanes: DataPlaneRepository,
    private readonly snapshots: StoredSnapshotSource,
  ) {}

  async list(): Promise<DataPlaneListDto> {
    const [records, head] = await Promise.all([this.dataPlanes.findAll(), this.snapshots.findHead()]);
    return { items: records.map((record) => toView(record, head)), configVersion: head?.version ?? null };
  }

  /** Throws DataPlaneNotFoundError when no data plane has this id. */
  async get(dataPlaneId: string): Promise<DataPlaneDto> {
    const [record, head] = await Promise.all([this.dataPlanes.findById(dataPlaneId), this.snapshots.findHead()]);
    if (!record) throw new DataPlaneNotFoundError(dataPlaneId);
    return toView(record, head);
  }
}

function toView(record: DataPlaneRecord, head: SnapshotHead | null): DataPlaneDto {
  const isDiverged = record.divergence !== null && record.divergence.resolvedAt === null;
  const inSync =
    !isDiverged &&
    (head ? record.activeVersion === head.version && record.activeHash === head.hash : record.activeVersion === null);
  return {
    dataPlaneId: record.dataPlaneId,
    hostname: record.hostname,
    buildVersion: record.buildVersion,
    schemaVersion: record.schemaVersion,
    connected: record.isConnected,
    activeVersion: record.activeVersion,
    activeHash: record.activeHash,
    inSync,
    state: stateOf(record, inSync, isDiverged),
    lastSeenAt: record.lastSeenAt.toISOString(),
    lastAckAt: record.lastAckAt?.toISOString() ?? null,
    lastApplyMs: record.lastApplyMs,
    lastNack: record.lastNack && {
      version: record.lastNack.version,
      reasons: [...record.lastNack.reasons],
      at: record.lastNack.at.toISOString(),
    },
    withheld: record.withheld && {
      version: record.withheld.version,
      reason: record.withheld.reason,
      at: record.withheld.at.toISOString(),
    },
    divergence: record.divergence && {
      version: record.divergence.version,
      expectedHash: record.divergence.expectedHash,
      reportedHash: record.divergence.reportedHash,
      reason:
        `it ran version ${record.divergence.version} with hash ${record.divergence.reportedHash}, not ` +
        `${record.divergence.expectedHash}; the snapshot was sent again`,
      at: record.divergence.at.toISOString(),
      resolvedAt: record.divergence.resolvedAt?.toISOString() ?? null,
    },
    controlPlaneInstance: record.controlPlaneInstance,
    connectedAt: record.connectedAt?.toISOString() ?? null,
    firstSeenAt: record.firstSeenAt.toISOString(),
  };
}

/** One word for the fleet view: divergence first (it is being re-synced), then connection, then convergence. */
function stateOf(record: DataPlaneRecord, inSync: boolean, isDiverged: boolean): DataPlaneState {
  if (isDiverged) return 'Diverged';
  if (!record.isConnected) return 'Disconnected';
  if (inSync) return 'InSync';
  if (record.withheld) return 'Withheld';
  return record.lastNack && record.lastNack.version > (record.activeVersion ?? 0) ? 'Rejected' : 'Syncing';
}
