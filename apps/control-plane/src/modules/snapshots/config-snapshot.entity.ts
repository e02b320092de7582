import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of `config_snapshots`: one immutable, complete snapshot. */
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

  @Column({ name: 'snapshot', type: 'jsonb' })
  snapshot!: ConfigSnapshot;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
