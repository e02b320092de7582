import type { BackendConfig } from '@hotswap/config-snapshot';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A row of `backends` (the guide's table plus `updated_at`). */
@Entity({ name: 'backends' })
export class BackendEntity {
  @PrimaryColumn({ name: 'backend_id', type: 'varchar', length: 255 })
  backendId!: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'url', type: 'varchar', length: 500 })
  url!: string;

  @Column({ name: 'weight', type: 'int' })
  weight!: number;

  @Column({ name: 'is_enabled', type: 'boolean' })
  isEnabled!: boolean;

  @Column({ name: 'health_status', type: 'varchar', length: 50 })
  healthStatus!: string;

  @Column({ name: 'health_check', type: 'jsonb', nullable: true })
  healthCheck!: BackendConfig['healthCheck'];

  @Column({ name: 'connection_pool', type: 'jsonb', nullable: true })
  connectionPool!: BackendConfig['connectionPool'];

  @Column({ name: 'timeouts', type: 'jsonb', nullable: true })
  timeouts!: BackendConfig['timeouts'];

  @Column({ name: 'last_health_check', type: 'timestamptz', nullable: true })
  lastHealthCheck!: Date | null;

  @Column({ name: 'active_connections', type: 'int' })
  activeConnections!: number;

  /** BIGINT: read as text to keep precision. */
  @Column({ name: 'total_requests', type: 'bigint' })
  totalRequests!: string;

  @Column({ name: 'failed_requests', type: 'bigint' })
  failedRequests!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
