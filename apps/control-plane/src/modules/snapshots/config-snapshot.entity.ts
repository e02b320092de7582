import type { ConfigSnapshot, SnapshotDelta } from '@hotswap/config-snapshot';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A row of `config_snapshots`: one immutable snapshot version, stored complete, as its changes from the previous
 * version, or both. Read snapshots through SnapshotsService, which rebuilds them.
 */
@Entity({ name: 'config_snapshots' })
export class ConfigSnapshotEntity {
  /** BIGINT, read as text. */
  @PrimaryColumn({ name: 'version', type: 'bigint' })
  version!: string;

  @Column({ name: 'hash', type: 'char', length: 64 })
  hash!: string;

  @Column({ name: 'previous_version', type: 'bigint', nullable: true })
  previousVersion!: string | null;

  @Column({ name: 'audit_id', type: 'bigint', nullable: true })
  auditId!: string | null;

  @Column({ name: 'snapshot', type: 'jsonb', nullable: true })
  snapshot!: ConfigSnapshot | null;

  @Column({ name: 'delta', type: 'jsonb', nullable: true })
  delta!: SnapshotDelta | null;

  @Column({ name: 'route_count', type: 'int', nullable: true })
  routeCount!: number | null;

  @Column({ name: 'backend_count', type: 'int', nullable: true })
  backendCount!: number | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
