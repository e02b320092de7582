import type { RouteConfig } from '@hotswap/config-snapshot';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A row of `route_versions`: one version of a route, its complete RouteConfig. */
@Entity({ name: 'route_versions' })
export class RouteVersionEntity {
  @PrimaryColumn({ name: 'route_id', type: 'varchar', length: 255 })
  routeId!: string;

  @PrimaryColumn({ name: 'version_number', type: 'int' })
  versionNumber!: number;

  @Column({ name: 'config', type: 'jsonb' })
  config!: RouteConfig;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'varchar', length: 255, nullable: true })
  createdBy!: string | null;
}
