import { headerNameSchema, idSchema } from '@hotswap/config-snapshot';
import { z } from 'zod';
import { paginationQuerySchema } from '../../../common/http/pagination';
import { DEPLOYMENT_STRATEGY_NAMES, type Phase } from '../deployment-plan';
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '../deployment-state';
import type { AnalysisResult, AnalysisThresholds, VariantMetrics } from '../canary-analysis';

const phaseInputSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  /** Checked by the plan (0-100, not falling, the last at 100) so that every issue is named. */
  trafficPercentage: z.number(),
  /** `"PT5M"`, `"5m"`, `"30s"`, or milliseconds. */
  duration: z.union([z.string().max(50), z.number()]).optional(),
});

export const thresholdsInputSchema = z.strictObject({
  maxErrorRateDeltaPoints: z.number().min(0).max(100).optional(),
  maxP99Increase: z.number().min(0).max(100).optional(),
  minLatencyRequests: z.number().int().min(1).max(10_000_000).optional(),
  minP99IncreaseMs: z.number().min(0).max(3_600_000).optional(),
  minRequests: z.number().int().min(0).max(10_000_000).optional(),
  maxInconclusive: z.number().int().min(1).max(10_000).optional(),
});

/** POST /deployments. */
export const createDeploymentBodySchema = z.strictObject({
  routeId: idSchema,
  /** A version number of the route, or the `version` label of one of its versions (the newest with it). */
  configVersion: z.union([z.number().int().min(1), z.string().min(1).max(50)]).optional(),
  /** The new version inline: fields of the route's forwarding config over its live version (creates a version). */
  config: z.record(z.string(), z.unknown()).optional(),
  strategy: z.enum(DEPLOYMENT_STRATEGY_NAMES).default('Canary'),
  environment: z.string().min(1).max(50).default('production'),
  phases: z.array(phaseInputSchema).min(1).max(20).optional(),
  thresholds: thresholdsInputSchema.default({}),
  pinHeader: headerNameSchema.default('X-Canary'),
  previewHeader: headerNameSchema.default('X-Preview'),
});
export type CreateDeploymentBody = z.output<typeof createDeploymentBodySchema>;

export const listDeploymentsQuerySchema = paginationQuerySchema.extend({
  routeId: idSchema.optional(),
  status: z.enum(DEPLOYMENT_STATUSES).optional(),
});
export type ListDeploymentsQuery = z.output<typeof listDeploymentsQuerySchema>;

export const promoteBodySchema = z
  .strictObject({ targetPercentage: z.number().min(0).max(100).optional() })
  .default({});
export const rollbackBodySchema = z.strictObject({ reason: z.string().min(1).max(2000).optional() }).default({});
export const pauseBodySchema = z.strictObject({ reason: z.string().min(1).max(2000).optional() }).default({});

export interface DeploymentTransitionView {
  event: string;
  fromStatus: string | null;
  toStatus: string;
  fromPhaseIndex: number | null;
  toPhaseIndex: number;
  reason: string;
  userId: string | null;
  at: string;
}

export interface DeploymentView {
  deploymentId: string;
  routeId: string;
  configVersion: string;
  targetVersionNumber: number;
  stableVersionNumber: number;
  strategy: string;
  environment: string;
  status: DeploymentStatus;
  phases: Array<Phase & { duration: string }>;
  currentPhaseIndex: number;
  currentPhase: (Phase & { duration: string }) | null;
  trafficSplit: unknown;
  thresholds: AnalysisThresholds;
  approval: {
    required: boolean;
    status: string;
    approvedBy: string | null;
    approvedAt: string | null;
    comment: string | null;
    expiresAt: string | null;
  };
  lastAnalysis: (AnalysisResult & { at: string }) | null;
  startedAt: string | null;
  phaseStartedAt: string | null;
  completedAt: string | null;
  rolledBackAt: string | null;
  rollbackReason: string | null;
  createdAt: string;
  createdBy: string | null;
  history?: DeploymentTransitionView[];
}

/** GET /deployments/{id}/metrics: the guide's shape. */
export interface DeploymentMetricsView {
  deploymentId: string;
  /** False while no telemetry reaches the control plane: the figures are zeros then. */
  isTelemetryAvailable: boolean;
  since: string | null;
  stable: VariantMetrics;
  canary: VariantMetrics;
  comparison: {
    errorRateDelta: number;
    p99LatencyDelta: number;
    shouldRollback: boolean;
    verdict: string;
    reason: string;
  };
}

export const createDeploymentExample = {
  routeId: 'route-123',
  configVersion: 2,
  strategy: 'Canary',
  environment: 'staging',
  phases: [
    { name: 'canary-10', trafficPercentage: 10, duration: 'PT5M' },
    { name: 'canary-50', trafficPercentage: 50, duration: '5m' },
    { name: 'full', trafficPercentage: 100 },
  ],
  thresholds: { maxErrorRateDeltaPoints: 5, maxP99Increase: 0.5, minRequests: 50 },
};
