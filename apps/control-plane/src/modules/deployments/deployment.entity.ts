import type { TrafficSplit } from '@hotswap/config-snapshot';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { AnalysisResult, AnalysisThresholds } from './canary-analysis';
import type { Phase } from './deployment-plan';
import type { DeploymentStatus } from './deployment-state';

/** A row of `deployments`: the guide's columns plus the engine's (migration 005). */
@Entity({ name: 'deployments' })
export class DeploymentEntity {
  @PrimaryColumn({ name: 'deployment_id', type: 'varchar', length: 255 })
  deploymentId!: string;

  @Column({ name: 'route_id', type: 'varchar', length: 255 })
  routeId!: string;

  /** As the request named it (a version number or the config's `version` label). */
  @Column({ name: 'config_version', type: 'varchar', length: 50 })
  configVersion!: string;

  @Column({ name: 'target_version_number', type: 'int' })
  targetVersionNumber!: number;

  @Column({ name: 'stable_version_number', type: 'int' })
  stableVersionNumber!: number;

  @Column({ name: 'strategy', type: 'varchar', length: 50 })
  strategy!: string;

  @Column({ name: 'environment', type: 'varchar', length: 50 })
  environment!: string;

  @Column({ name: 'status', type: 'varchar', length: 50 })
  status!: DeploymentStatus;

  @Column({ name: 'traffic_split', type: 'jsonb', nullable: true })
  trafficSplit!: TrafficSplit | null;

  @Column({ name: 'phases', type: 'jsonb' })
  phases!: Phase[];

  @Column({ name: 'current_phase_index', type: 'int' })
  currentPhaseIndex!: number;

  @Column({ name: 'thresholds', type: 'jsonb' })
  thresholds!: AnalysisThresholds;

  @Column({ name: 'pin_header', type: 'varchar', length: 255 })
  pinHeader!: string;

  @Column({ name: 'preview_header', type: 'varchar', length: 255 })
  previewHeader!: string;

  @Column({ name: 'requires_approval', type: 'boolean' })
  requiresApproval!: boolean;

  @Column({ name: 'approval_status', type: 'varchar', length: 50 })
  approvalStatus!: 'Pending' | 'Approved' | 'Rejected' | 'NotRequired';

  @Column({ name: 'approved_by', type: 'varchar', length: 255, nullable: true })
  approvedBy!: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt!: Date | null;

  @Column({ name: 'approval_comment', type: 'text', nullable: true })
  approvalComment!: string | null;

  @Column({ name: 'approval_expires_at', type: 'timestamptz', nullable: true })
  approvalExpiresAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'phase_started_at', type: 'timestamptz', nullable: true })
  phaseStartedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'rolled_back_at', type: 'timestamptz', nullable: true })
  rolledBackAt!: Date | null;

  @Column({ name: 'rollback_reason', type: 'text', nullable: true })
  rollbackReason!: string | null;

  @Column({ name: 'tick', type: 'int' })
  tick!: number;

  @Column({ name: 'inconclusive_count', type: 'int' })
  inconclusiveCount!: number;

  @Column({ name: 'last_analysis', type: 'jsonb', nullable: true })
  lastAnalysis!: (AnalysisResult & { at: string }) | null;

  @Column({ name: 'created_by', type: 'varchar', length: 255, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
