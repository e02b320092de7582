import type { RouteConfig } from '@hotswap/config-snapshot';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A row of `gateway_routes`: the route's live version, column by column (the guide's table plus ours). */
@Entity({ name: 'gateway_routes' })
export class RouteEntity {
  @PrimaryColumn({ name: 'route_id', type: 'varchar', length: 255 })
  routeId!: string;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name!: string;

  @Column({ name: 'path_pattern', type: 'varchar', length: 500 })
  pathPattern!: string;

  @Column({ name: 'host', type: 'varchar', length: 253, nullable: true })
  host!: string | null;

  @Column({ name: 'methods', type: 'text', array: true, nullable: true })
  methods!: string[] | null;

  /** Backend ids, in order. */
  @Column({ name: 'backends', type: 'jsonb' })
  backends!: string[];

  @Column({ name: 'strategy', type: 'varchar', length: 50 })
  strategy!: string;

  @Column({ name: 'strategy_config', type: 'jsonb', nullable: true })
  strategyConfig!: RouteConfig['strategyConfig'];

  @Column({ name: 'timeout_seconds', type: 'int' })
  timeoutSeconds!: number;

  @Column({ name: 'is_enabled', type: 'boolean' })
  isEnabled!: boolean;

  @Column({ name: 'priority', type: 'int' })
  priority!: number;

  @Column({ name: 'strip_prefix', type: 'boolean' })
  stripPrefix!: boolean;

  @Column({ name: 'transformations', type: 'jsonb', nullable: true })
  transformations!: RouteConfig['transformations'];

  @Column({ name: 'rate_limit', type: 'jsonb', nullable: true })
  rateLimit!: RouteConfig['rateLimit'];

  @Column({ name: 'circuit_breaker', type: 'jsonb', nullable: true })
  circuitBreaker!: RouteConfig['circuitBreaker'];

  @Column({ name: 'retry_policy', type: 'jsonb', nullable: true })
  retryPolicy!: RouteConfig['retryPolicy'];

  @Column({ name: 'version', type: 'varchar', length: 50 })
  version!: string;

  /** The `route_versions.version_number` this row reflects. */
  @Column({ name: 'live_version_number', type: 'int' })
  liveVersionNumber!: number;

  /** The highest `route_versions.version_number` written for this route. */
  @Column({ name: 'latest_version_number', type: 'int' })
  latestVersionNumber!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'created_by', type: 'varchar', length: 255, nullable: true })
  createdBy!: string | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 255, nullable: true })
  updatedBy!: string | null;
}
