import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A row of `audit_logs`: one change, who made it, under which trace. */
@Entity({ name: 'audit_logs' })
export class AuditLogEntity {
  /** BIGSERIAL, read as text. */
  @PrimaryGeneratedColumn({ name: 'id', type: 'bigint' })
  id!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 100 })
  eventType!: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 100, nullable: true })
  entityType!: string | null;

  @Column({ name: 'entity_id', type: 'varchar', length: 255, nullable: true })
  entityId!: string | null;

  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true })
  userId!: string | null;

  @Column({ name: 'details', type: 'jsonb', nullable: true })
  details!: unknown;

  @Column({ name: 'trace_id', type: 'varchar', length: 255, nullable: true })
  traceId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
