import { ApiProperty } from '@nestjs/swagger';

export class DataPlaneNackDto {
  @ApiProperty({ type: Number, description: 'The snapshot version the data plane rejected', example: 42 })
  version!: number;

  @ApiProperty({ type: [String], example: ['routes[3].pathPattern: "/api/{id" is not a valid path pattern'] })
  reasons!: string[];

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-15T10:30:05.120Z' })
  at!: string;
}

export class WithheldSnapshotDto {
  @ApiProperty({ type: Number, description: 'The snapshot version the control plane did not push', example: 43 })
  version!: number;

  @ApiProperty({
    type: String,
    example: 'snapshot 43 needs schema version 2; this data plane understands up to 1',
  })
  reason!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-15T10:31:00.000Z' })
  at!: string;
}

export class DataPlaneDivergenceDto {
  @ApiProperty({ type: Number, description: 'The version the data plane reported running', example: 42 })
  version!: number;

  @ApiProperty({ type: String, description: "The control plane's hash of that version" })
  expectedHash!: string;

  @ApiProperty({ type: String, description: 'The hash the data plane reported' })
  reportedHash!: string;

  @ApiProperty({ type: String, example: 'it ran version 42 with hash 9d2e…, not 3f1c…; the snapshot was sent again' })
  reason!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-15T10:31:00.000Z' })
  at!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When its Ack of the re-sent snapshot (or a new stream) ended it; null while it lasts',
    example: '2025-01-15T10:31:00.120Z',
  })
  resolvedAt!: string | null;
}

/**
 * InSync: runs the newest version; Syncing: behind, a push is due or under way; Rejected: refused a newer version;
 * Withheld: cannot understand the newest schema; Diverged: runs a version with the wrong hash (being re-synced);
 * Disconnected: no open stream.
 */
export const DATA_PLANE_STATES = ['InSync', 'Syncing', 'Rejected', 'Withheld', 'Diverged', 'Disconnected'] as const;
export type DataPlaneState = (typeof DATA_PLANE_STATES)[number];

export class DataPlaneDto {
  @ApiProperty({ type: String, example: 'data-plane-7f9c' })
  dataPlaneId!: string;

  @ApiProperty({ type: String, example: 'gateway-data-plane-7f9c6d5b8-x2k4q' })
  hostname!: string;

  @ApiProperty({ type: String, example: '0.1.0' })
  buildVersion!: string;

  @ApiProperty({ type: Number, description: 'Highest snapshot schema version it understands', example: 1 })
  schemaVersion!: number;

  @ApiProperty({
    type: Boolean,
    description: 'Its stream is open and the control-plane replica holding it reported recently',
    example: true,
  })
  connected!: boolean;

  @ApiProperty({ type: Number, nullable: true, description: 'The config version it runs', example: 42 })
  activeVersion!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '3f1c0f5e9b2a4d6c8e0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60',
  })
  activeHash!: string | null;

  @ApiProperty({ type: Boolean, description: 'It runs the newest config version (same version and hash)' })
  inSync!: boolean;

  @ApiProperty({ enum: DATA_PLANE_STATES, example: 'InSync', description: 'Where it stands, in one word' })
  state!: DataPlaneState;

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-15T10:31:10.000Z' })
  lastSeenAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2025-01-15T10:30:00.250Z' })
  lastAckAt!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Milliseconds it took to apply its active version',
    example: 12.5,
  })
  lastApplyMs!: number | null;

  @ApiProperty({ type: () => DataPlaneNackDto, nullable: true, description: 'Its last rejection of a snapshot' })
  lastNack!: DataPlaneNackDto | null;

  @ApiProperty({
    type: () => WithheldSnapshotDto,
    nullable: true,
    description: 'A newer snapshot the control plane did not push to it, and why',
  })
  withheld!: WithheldSnapshotDto | null;

  @ApiProperty({
    type: () => DataPlaneDivergenceDto,
    nullable: true,
    description: 'The last time it reported running a version with another hash than the control plane sent',
  })
  divergence!: DataPlaneDivergenceDto | null;

  @ApiProperty({ type: String, nullable: true, example: 'control-plane-0' })
  controlPlaneInstance!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2025-01-15T09:00:00.000Z' })
  connectedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', example: '2025-01-10T08:00:00.000Z' })
  firstSeenAt!: string;
}

export class DataPlaneListDto {
  @ApiProperty({ type: () => [DataPlaneDto] })
  items!: DataPlaneDto[];

  @ApiProperty({ type: Number, nullable: true, description: 'The newest config version', example: 42 })
  configVersion!: number | null;
}

/** A fleet view as the Swagger page shows it. */
export const DATA_PLANE_EXAMPLE: DataPlaneDto = {
  dataPlaneId: 'data-plane-7f9c',
  hostname: 'gateway-data-plane-7f9c6d5b8-x2k4q',
  buildVersion: '0.1.0',
  schemaVersion: 1,
  connected: true,
  activeVersion: 42,
  activeHash: '3f1c0f5e9b2a4d6c8e0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60',
  inSync: true,
  state: 'InSync',
  lastSeenAt: '2025-01-15T10:31:10.000Z',
  lastAckAt: '2025-01-15T10:30:00.250Z',
  lastApplyMs: 12.5,
  lastNack: null,
  withheld: null,
  divergence: null,
  controlPlaneInstance: 'control-plane-0',
  connectedAt: '2025-01-15T09:00:00.000Z',
  firstSeenAt: '2025-01-10T08:00:00.000Z',
};
