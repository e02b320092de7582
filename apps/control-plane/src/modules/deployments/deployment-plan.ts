import { parseDurationMs } from '@hotswap/config-snapshot';

export const DEPLOYMENT_STRATEGY_NAMES = ['Direct', 'Canary', 'BlueGreen', 'Rolling'] as const;
export type DeploymentStrategyName = (typeof DEPLOYMENT_STRATEGY_NAMES)[number];

/** One phase of a rollout: the new version's share of traffic (Rolling: of data planes), held for `durationMs`. */
export interface Phase {
  readonly name: string;
  readonly trafficPercentage: number;
  readonly durationMs: number;
}

/** A phase as a request gives it: `duration` as `"PT5M"`, `"5m"`, or milliseconds. */
export interface PhaseInput {
  name?: string;
  trafficPercentage: number;
  duration?: string | number;
}

export interface PlanIssue {
  field: string;
  message: string;
}

const FIVE_MINUTES = 5 * 60_000;

/** The phases a strategy runs when the request gives none (DESIGN §5). */
export function defaultPhases(strategy: DeploymentStrategyName): Phase[] {
  switch (strategy) {
    case 'Direct':
      return [{ name: 'all', trafficPercentage: 100, durationMs: 0 }];
    case 'Canary':
      return [
        { name: 'canary-10', trafficPercentage: 10, durationMs: FIVE_MINUTES },
        { name: 'canary-50', trafficPercentage: 50, durationMs: FIVE_MINUTES },
        { name: 'full', trafficPercentage: 100, durationMs: 0 },
      ];
    case 'BlueGreen':
      // The green version waits at 0% (reachable with the preview header) for checks or a promote, then switches.
      return [
        { name: 'preview', trafficPercentage: 0, durationMs: FIVE_MINUTES },
        { name: 'switch', trafficPercentage: 100, durationMs: 0 },
      ];
    case 'Rolling':
      return [
        { name: 'first-data-plane', trafficPercentage: 1, durationMs: FIVE_MINUTES },
        { name: 'half', trafficPercentage: 50, durationMs: FIVE_MINUTES },
        { name: 'all', trafficPercentage: 100, durationMs: 0 },
      ];
  }
}

/**
 * Checks and normalizes the phases of a request: each percentage within 0-100 and not below the one before, each
 * duration parsable, the last phase at 100%. Returns every issue, named by field.
 */
export function parsePhases(
  strategy: DeploymentStrategyName,
  input: readonly PhaseInput[] | undefined,
): { ok: true; phases: Phase[] } | { ok: false; issues: PlanIssue[] } {
  if (input === undefined || input.length === 0) return { ok: true, phases: defaultPhases(strategy) };
  const issues: PlanIssue[] = [];
  const phases: Phase[] = [];
  let previousValid = 0;
  input.forEach((phase, index) => {
    const at = `phases[${index}]`;
    const percentage = phase.trafficPercentage;
    if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
      issues.push({ field: `${at}.trafficPercentage`, message: 'must be between 0 and 100' });
    } else if (index > 0 && percentage < previousValid) {
      issues.push({ field: `${at}.trafficPercentage`, message: 'must not be below the previous phase' });
    }
    if (Number.isFinite(percentage) && percentage >= 0 && percentage <= 100) previousValid = percentage;
    let durationMs: number | undefined = 0;
    if (typeof phase.duration === 'number') {
      durationMs = Number.isInteger(phase.duration) && phase.duration >= 0 ? phase.duration : undefined;
    } else if (phase.duration !== undefined) {
      durationMs = parseDurationMs(phase.duration);
    }
    if (durationMs === undefined) {
      issues.push({
        field: `${at}.duration`,
        message: `"${String(phase.duration)}" is not a duration such as "30s", "5m" or "PT5M"`,
      });
    }
    phases.push({
      name: phase.name ?? `phase-${index + 1}`,
      trafficPercentage: percentage,
      durationMs: durationMs ?? 0,
    });
  });
  const last = input[input.length - 1];
  if (last !== undefined && last.trafficPercentage !== 100) {
    issues.push({ field: `phases[${input.length - 1}].trafficPercentage`, message: 'the last phase must be at 100' });
  }
  if (strategy === 'Direct' && input.length !== 1) {
    issues.push({ field: 'phases', message: 'a Direct deployment has one phase, at 100' });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, phases };
}

/** Rolling: the data planes that run the new version in a phase (at least one once the share is above 0). */
export function rolloutBatch(dataPlaneIds: readonly string[], trafficPercentage: number): string[] {
  const sorted = [...dataPlaneIds].sort();
  if (trafficPercentage <= 0) return [];
  const count = Math.max(1, Math.ceil((sorted.length * trafficPercentage) / 100));
  return sorted.slice(0, count);
}
