import { parseDurationMs } from '@hotswap/config-snapshot';
import { z } from 'zod';

/** `GET metrics?window=5m`: the window, as a duration (`"60s"`, `"5m"`, `"PT5M"`), 10 s to 15 min. */
export const metricsQuerySchema = z.object({
  window: z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return undefined;
      const ms = parseDurationMs(text);
      if (ms === undefined || ms < 10_000 || ms > 15 * 60_000) {
        context.addIssue({ code: 'custom', message: 'must be a duration from 10s to 15m ("60s", "5m", "PT5M")' });
        return z.NEVER;
      }
      return ms;
    }),
});

export type MetricsQuery = z.output<typeof metricsQuerySchema>;

/** What `GET metrics` answers, for Swagger. */
export const GATEWAY_METRICS_EXAMPLE = {
  generatedAt: '2025-01-15T10:30:00.000Z',
  windowSeconds: 300,
  totals: {
    requests: 150_000,
    errors: 150,
    errorRate: 0.001,
    requestsPerSecond: 500,
    errorsByClass: { serverErrors: 120, connectErrors: 20, timeouts: 10 },
    rateLimited: 35,
  },
  latency: { p50: 4.2, p95: 18.5, p99: 47.9, mean: 6.1 },
  backends: { total: 12, byHealth: { Healthy: 10, Unhealthy: 1, Unknown: 1 } },
  circuitBreakers: { closed: 23, open: 1, halfOpen: 0, openBackendIds: ['backend-1a2b3c4d'] },
  activeConnections: 842,
  dataPlanesReporting: 2,
};
