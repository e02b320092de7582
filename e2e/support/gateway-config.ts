import { validateSnapshot, type BackendConfig, type ConfigSnapshot, type RouteConfig } from '@hotswap/config-snapshot';
import { aSnapshot } from '@hotswap/testing';

/**
 * The routes and backends a test wants a gateway to run, written once with the builders (`aRoute`, `aBackend`) and
 * served identically by every snapshot source: a `--config` file, or the control plane after the same routes and
 * backends were created through its REST API (see gateway-under-test.ts).
 */
export interface GatewayConfig {
  readonly routes: readonly RouteConfig[];
  readonly backends: readonly BackendConfig[];
}

/**
 * Checks that a config is valid and that every source can express it, and returns it. The REST API cannot set what
 * the control plane owns (a backend's `healthStatus`: its health checks set it), so such a config is refused here
 * rather than silently differing between sources; a drained backend is `isEnabled: false`.
 */
export function defineGatewayConfig(config: { routes: RouteConfig[]; backends: BackendConfig[] }): GatewayConfig {
  const problems: string[] = [];
  for (const backend of config.backends) {
    if (backend.healthStatus !== 'Unknown') {
      problems.push(
        `backends[${backend.backendId}].healthStatus: "${backend.healthStatus}" cannot be written through the control plane's REST API (its health checks own it)`,
      );
    }
  }
  const validated = validateSnapshot(aSnapshot(config));
  if (!validated.ok) problems.push(...validated.issues.map((issue) => `${issue.path}: ${issue.message}`));
  if (problems.length > 0) throw new Error(`not a config every snapshot source can serve:\n  ${problems.join('\n  ')}`);
  return Object.freeze({ routes: [...config.routes], backends: [...config.backends] });
}

/** The snapshot of a config at a version: what a `--config` file holds, and whose hash the control plane must reach. */
export function snapshotOf(config: GatewayConfig, version: number): ConfigSnapshot {
  return aSnapshot({ routes: [...config.routes], backends: [...config.backends] }, { version });
}
