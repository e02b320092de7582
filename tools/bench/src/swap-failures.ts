import type { SustainCounts } from './load-generator';

export interface SwapFailures {
  /** Failed requests on the routes that exist the whole run. */
  stable: number;
  /** Failed requests on the changing routes. */
  churn: number;
  /** 404s on the changing routes: not failures. */
  expected404: number;
  byStatus: Record<string, number>;
}

/**
 * Failed requests of a swap run. Targets named `… churn` load routes that come and go: a 404 there is expected;
 * 5xx (the bench backend only answers 200, so the gateway made them), connection errors and timeouts fail. On every
 * other target anything but 200 fails.
 */
export function countFailures(counts: SustainCounts[]): SwapFailures {
  const failures = { stable: 0, churn: 0, expected404: 0, byStatus: {} as Record<string, number> };
  for (const target of counts) {
    const isChurn = target.name.endsWith('churn');
    let failed = target.errors + target.timeouts;
    if (target.errors)
      failures.byStatus['connection error'] = (failures.byStatus['connection error'] ?? 0) + target.errors;
    if (target.timeouts) failures.byStatus.timeout = (failures.byStatus.timeout ?? 0) + target.timeouts;
    for (const [status, count] of Object.entries(target.statusCounts)) {
      const code = Number(status);
      if (code === 200) continue;
      if (isChurn && code === 404) {
        failures.expected404 += count;
        continue;
      }
      // Stable routes must always answer 200; on churning ones only "no route" (404) is expected.
      if (!isChurn || code >= 500) {
        failed += count;
        failures.byStatus[status] = (failures.byStatus[status] ?? 0) + count;
      }
    }
    if (isChurn) failures.churn += failed;
    else failures.stable += failed;
  }
  return failures;
}
