import { routeVariantSchema, type RouteConfig, type TrafficSplit } from '@hotswap/config-snapshot';
import type { DeploymentStrategyName, Phase } from './deployment-plan';
import { rolloutBatch } from './deployment-plan';

/** The fields that decide which requests a route serves: a deployment rolls out how it forwards, never these. */
export const MATCHING_FIELDS = ['pathPattern', 'host', 'methods', 'priority'] as const;

/** The matching fields in which the new version differs from the live one. */
export function changedMatchingFields(live: RouteConfig, target: RouteConfig): string[] {
  return MATCHING_FIELDS.filter((field) => JSON.stringify(live[field]) !== JSON.stringify(target[field]));
}

const VARIANT_FIELDS = Object.keys(routeVariantSchema.shape) as Array<keyof typeof routeVariantSchema.shape>;

export interface SplitInput {
  readonly deploymentId: string;
  readonly strategy: DeploymentStrategyName;
  readonly phase: Phase;
  readonly target: RouteConfig;
  readonly pinHeader: string;
  readonly previewHeader: string;
  /** Rolling: the data planes to roll out over (the connected fleet). */
  readonly dataPlaneIds: readonly string[];
}

/**
 * The route's `trafficSplit` while a deployment runs a phase. Direct rolls out at once and never splits; the others
 * carry the new version's forwarding config and the phase's share (Rolling: of data planes).
 */
export function trafficSplitFor(input: SplitInput): TrafficSplit {
  const canary = Object.fromEntries(
    VARIANT_FIELDS.map((field) => [field, input.target[field]]),
  ) as TrafficSplit['canary'];
  const isRolling = input.strategy === 'Rolling';
  return {
    deploymentId: input.deploymentId,
    strategy: input.strategy === 'Direct' ? 'Canary' : input.strategy,
    canaryPercentage: isRolling ? 0 : input.phase.trafficPercentage,
    canary,
    pinHeader: input.pinHeader,
    previewHeader: input.previewHeader,
    rolloutDataPlaneIds: isRolling ? rolloutBatch(input.dataPlaneIds, input.phase.trafficPercentage) : [],
  };
}
