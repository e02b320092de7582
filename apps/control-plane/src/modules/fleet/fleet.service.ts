import type { DataPlaneRecord, SnapshotHead } from './data-plane';
import type { DataPlaneRepository } from './data-plane.repository';
import type { DataPlaneDto, DataPlaneListDto } from './dto/data-plane.dto';
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
  const inSync = head
    ? record.activeVersion === head.version && record.activeHash === head.hash
    : record.activeVersion === null;
  return {
    dataPlaneId: record.dataPlaneId,
    hostname: record.hostname,
    buildVersion: record.buildVersion,
    schemaVersion: record.schemaVersion,
    connected: record.isConnected,
    activeVersion: record.activeVersion,
    activeHash: record.activeHash,
    inSync,
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
    controlPlaneInstance: record.controlPlaneInstance,
    connectedAt: record.connectedAt?.toISOString() ?? null,
    firstSeenAt: record.firstSeenAt.toISOString(),
  };
}
