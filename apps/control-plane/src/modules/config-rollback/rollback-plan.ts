import { canonicalJson, type BackendConfig, type RouteConfig } from '@hotswap/config-snapshot';

/** A route as the database holds it now: its live version's config and whether a deployment holds it. */
export interface CurrentRoute {
  config: RouteConfig;
  hasActiveDeployment: boolean;
}

/** What a rollback to a snapshot's content changes in `gateway_routes`/`route_versions` and `backends`. */
export interface RollbackPlan {
  /** Routes of the target that differ from their live version (a new live version) or no longer exist. */
  routesToWrite: Array<{ config: RouteConfig; exists: boolean }>;
  /** Routes that exist now and not in the target. */
  routesToDelete: string[];
  /** Backends of the target whose config differs from the row, or that no longer exist. */
  backendsToWrite: Array<{ config: BackendConfig; exists: boolean }>;
  backendsToDelete: string[];
  /** Routes the rollback changes (written or deleted) while a deployment is active on them. */
  blockedRouteIds: string[];
}

/** The config of a route as a version stores it: a deployment's split is not part of a route's content. */
export function routeContent(route: RouteConfig): RouteConfig {
  return { ...route, trafficSplit: null };
}

/**
 * Health status is runtime state (checks, drains), not configuration: a rollback restores what an operator
 * configured and leaves the backend's observed state alone.
 */
function backendContent(backend: BackendConfig): Omit<BackendConfig, 'healthStatus'> {
  const { healthStatus: _runtime, ...content } = backend;
  return content;
}

export function planRollback(
  current: { routes: CurrentRoute[]; backends: BackendConfig[] },
  target: { routes: readonly RouteConfig[]; backends: readonly BackendConfig[] },
): RollbackPlan {
  const currentRoutes = new Map(current.routes.map((route) => [route.config.routeId, route]));
  const currentBackends = new Map(current.backends.map((backend) => [backend.backendId, backend]));
  const targetRouteIds = new Set(target.routes.map((route) => route.routeId));
  const targetBackendIds = new Set(target.backends.map((backend) => backend.backendId));

  const routesToWrite: RollbackPlan['routesToWrite'] = [];
  for (const route of target.routes) {
    const config = routeContent(route);
    const now = currentRoutes.get(route.routeId);
    if (now && canonicalJson(routeContent(now.config)) === canonicalJson(config)) continue;
    routesToWrite.push({ config, exists: now !== undefined });
  }
  const routesToDelete = current.routes
    .map((route) => route.config.routeId)
    .filter((routeId) => !targetRouteIds.has(routeId));

  const backendsToWrite: RollbackPlan['backendsToWrite'] = [];
  for (const backend of target.backends) {
    const now = currentBackends.get(backend.backendId);
    if (now && canonicalJson(backendContent(now)) === canonicalJson(backendContent(backend))) continue;
    backendsToWrite.push({ config: backend, exists: now !== undefined });
  }
  const backendsToDelete = current.backends
    .map((backend) => backend.backendId)
    .filter((backendId) => !targetBackendIds.has(backendId));

  const changed = new Set([...routesToWrite.map((entry) => entry.config.routeId), ...routesToDelete]);
  const blockedRouteIds = current.routes
    .filter((route) => route.hasActiveDeployment && changed.has(route.config.routeId))
    .map((route) => route.config.routeId)
    .sort();
  return { routesToWrite, routesToDelete, backendsToWrite, backendsToDelete, blockedRouteIds };
}
