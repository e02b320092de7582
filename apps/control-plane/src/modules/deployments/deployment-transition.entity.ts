import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A row of `deployment_transitions`: one move of a deployment's state machine, with its reason. */
@Entity({ name: 'deployment_transitions' })
export class DeploymentTransitionEntity {
  @PrimaryGeneratedColumn({ name: 'id', type: 'bigint' })
  id!: string;

  @Column({ name: 'deployment_id', type: 'varchar', length: 255 })
  deploymentId!: string;

  @Column({ name: 'event', type: 'varchar', length: 50 })
  event!: string;

  @Column({ name: 'from_status', type: 'varchar', length: 50, nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'varchar', length: 50 })
  toStatus!: string;

  @Column({ name: 'from_phase_index', type: 'int', nullable: true })
  fromPhaseIndex!: number | null;

  @Column({ name: 'to_phase_index', type: 'int' })
  toPhaseIndex!: number;

  @Column({ name: 'reason', type: 'text' })
  reason!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true })
  userId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
