import type { VariantComparison } from './canary-analysis';

/**
 * Stable-versus-canary traffic of a route since a moment, from data-plane telemetry (TelemetryService). `undefined`:
 * no figures at all (the analysis is skipped and phases advance on time alone).
 */
export interface VariantMetricsSource {
  compareVariants(routeId: string, sinceMs: number): Promise<VariantComparison | undefined>;
}

export const VARIANT_METRICS_SOURCE = Symbol('VARIANT_METRICS_SOURCE');
