import type { SqlQuery } from '../../database/sql-query';
import type { DataPlaneHello, DataPlaneRecord, DataPlaneStore, StreamIdentity } from './data-plane';

interface DataPlaneRow {
  data_plane_id: string;
  hostname: string;
  build_version: string;
  schema_version: number;
  control_plane_instance: string | null;
  is_connected: boolean;
  active_version: string | null;
  active_hash: string | null;
  last_applied_ms: number | null;
  last_seen_at: Date;
  last_ack_at: Date | null;
  last_nack_version: string | null;
  last_nack_reasons: string[] | null;
  last_nack_at: Date | null;
  withheld_version: string | null;
  withheld_reason: string | null;
  withheld_at: Date | null;
  diverged_version: string | null;
  diverged_expected_hash: string | null;
  diverged_reported_hash: string | null;
  diverged_at: Date | null;
  diverged_resolved_at: Date | null;
  connected_at: Date | null;
  first_seen_at: Date;
}

/** `is_connected` is only believed while the holding replica keeps refreshing the row ($1: seconds). */
const SELECT_DATA_PLANES = `
  SELECT data_plane_id, hostname, build_version, schema_version, control_plane_instance,
         is_connected AND last_seen_at > now() - make_interval(secs => $1) AS is_connected,
         active_version::text AS active_version, active_hash, last_applied_ms, last_seen_at, last_ack_at,
         last_nack_version::text AS last_nack_version, last_nack_reasons, last_nack_at,
         withheld_version::text AS withheld_version, withheld_reason, withheld_at,
         diverged_version::text AS diverged_version, diverged_expected_hash, diverged_reported_hash, diverged_at,
         diverged_resolved_at,
         connected_at, first_seen_at
    FROM data_planes`;

/** The `data_planes` table: the registry of data planes. */
export class DataPlaneRepository implements DataPlaneStore {
  constructor(
    private readonly query: SqlQuery,
    private readonly staleAfterMs: number,
  ) {}

  async register(hello: DataPlaneHello, stream: StreamIdentity): Promise<void> {
    await this.query(
      `INSERT INTO data_planes (data_plane_id, hostname, build_version, schema_version, control_plane_instance,
                                connection_id, is_connected, active_version, active_hash, last_seen_at, connected_at,
                                first_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, now(), now(), now())
       ON CONFLICT (data_plane_id) DO UPDATE SET
         hostname = EXCLUDED.hostname,
         build_version = EXCLUDED.build_version,
         schema_version = EXCLUDED.schema_version,
         control_plane_instance = EXCLUDED.control_plane_instance,
         connection_id = EXCLUDED.connection_id,
         is_connected = TRUE,
         active_version = EXCLUDED.active_version,
         active_hash = EXCLUDED.active_hash,
         last_seen_at = now(),
         connected_at = now(),
         withheld_version = NULL,
         withheld_reason = NULL,
         withheld_at = NULL,
         diverged_resolved_at = CASE WHEN data_planes.diverged_at IS NULL THEN NULL
                                     ELSE COALESCE(data_planes.diverged_resolved_at, now()) END`,
      [
        hello.dataPlaneId,
        hello.hostname,
        hello.buildVersion,
        hello.schemaVersion,
        stream.controlPlaneInstance,
        stream.connectionId,
        hello.activeVersion,
        hello.activeHash,
      ],
    );
  }

  async recordAck(dataPlaneId: string, ack: { version: number; hash: string; applyMs: number }): Promise<void> {
    await this.query(
      `UPDATE data_planes
          SET active_version = $2, active_hash = $3, last_applied_ms = $4, last_ack_at = now(), last_seen_at = now(),
              withheld_version = CASE WHEN withheld_version <= $2 THEN NULL ELSE withheld_version END,
              withheld_reason = CASE WHEN withheld_version <= $2 THEN NULL ELSE withheld_reason END,
              withheld_at = CASE WHEN withheld_version <= $2 THEN NULL ELSE withheld_at END,
              diverged_resolved_at = CASE WHEN diverged_at IS NULL THEN NULL
                                          ELSE COALESCE(diverged_resolved_at, now()) END
        WHERE data_plane_id = $1`,
      [dataPlaneId, ack.version, ack.hash, ack.applyMs],
    );
  }

  async recordNack(dataPlaneId: string, nack: { version: number; reasons: readonly string[] }): Promise<void> {
    await this.query(
      `UPDATE data_planes
          SET last_nack_version = $2, last_nack_reasons = $3::jsonb, last_nack_at = now(), last_seen_at = now()
        WHERE data_plane_id = $1`,
      [dataPlaneId, nack.version, JSON.stringify(nack.reasons)],
    );
  }

  async recordWithheld(dataPlaneId: string, withheld: { version: number; reason: string }): Promise<void> {
    await this.query(
      `UPDATE data_planes SET withheld_version = $2, withheld_reason = $3, withheld_at = now()
        WHERE data_plane_id = $1`,
      [dataPlaneId, withheld.version, withheld.reason],
    );
  }

  async recordDivergence(
    dataPlaneId: string,
    divergence: { version: number; expectedHash: string; reportedHash: string },
  ): Promise<void> {
    await this.query(
      `UPDATE data_planes
          SET active_version = $2, active_hash = $4, diverged_version = $2, diverged_expected_hash = $3,
              diverged_reported_hash = $4, diverged_at = now(), diverged_resolved_at = NULL, last_seen_at = now()
        WHERE data_plane_id = $1`,
      [dataPlaneId, divergence.version, divergence.expectedHash, divergence.reportedHash],
    );
  }

  async markDisconnected(dataPlaneId: string, connectionId: string): Promise<void> {
    await this.query(
      `UPDATE data_planes SET is_connected = FALSE, last_seen_at = now()
        WHERE data_plane_id = $1 AND connection_id = $2`,
      [dataPlaneId, connectionId],
    );
  }

  async touch(connectionIds: readonly string[]): Promise<void> {
    if (connectionIds.length === 0) return;
    await this.query(
      'UPDATE data_planes SET last_seen_at = now() WHERE connection_id = ANY($1::uuid[]) AND is_connected',
      [connectionIds],
    );
  }

  async findAll(): Promise<DataPlaneRecord[]> {
    const rows = await this.query<DataPlaneRow>(`${SELECT_DATA_PLANES} ORDER BY data_plane_id`, [
      this.staleAfterMs / 1000,
    ]);
    return rows.map(toRecord);
  }

  async findById(dataPlaneId: string): Promise<DataPlaneRecord | null> {
    const [row] = await this.query<DataPlaneRow>(`${SELECT_DATA_PLANES} WHERE data_plane_id = $2`, [
      this.staleAfterMs / 1000,
      dataPlaneId,
    ]);
    return row ? toRecord(row) : null;
  }
}

function toRecord(row: DataPlaneRow): DataPlaneRecord {
  return {
    dataPlaneId: row.data_plane_id,
    hostname: row.hostname,
    buildVersion: row.build_version,
    schemaVersion: row.schema_version,
    isConnected: row.is_connected,
    controlPlaneInstance: row.control_plane_instance,
    activeVersion: row.active_version === null ? null : Number(row.active_version),
    activeHash: row.active_hash,
    lastApplyMs: row.last_applied_ms,
    lastSeenAt: row.last_seen_at,
    lastAckAt: row.last_ack_at,
    lastNack:
      row.last_nack_version === null || row.last_nack_at === null
        ? null
        : { version: Number(row.last_nack_version), reasons: row.last_nack_reasons ?? [], at: row.last_nack_at },
    withheld:
      row.withheld_version === null || row.withheld_at === null
        ? null
        : { version: Number(row.withheld_version), reason: row.withheld_reason ?? '', at: row.withheld_at },
    divergence:
      row.diverged_version === null || row.diverged_at === null
        ? null
        : {
            version: Number(row.diverged_version),
            expectedHash: row.diverged_expected_hash ?? '',
            reportedHash: row.diverged_reported_hash ?? '',
            at: row.diverged_at,
            resolvedAt: row.diverged_resolved_at,
          },
    connectedAt: row.connected_at,
    firstSeenAt: row.first_seen_at,
  };
}
