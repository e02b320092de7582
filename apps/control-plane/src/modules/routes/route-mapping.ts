import { routeConfigSchema, type RouteConfig } from '@hotswap/config-snapshot';
import type { BackendView } from '../backends/dto/backend.dto';
import type { RouteView } from './dto/route.dto';
import type { RouteEntity } from './route.entity';

/** Copies a route config (a version being made live) onto the columns of `gateway_routes`. */
export function applyRouteConfig(entity: RouteEntity, config: RouteConfig): RouteEntity {
  entity.routeId = config.routeId;
  entity.name = config.name;
  entity.pathPattern = config.pathPattern;
  entity.host = config.host;
  entity.methods = [...config.methods];
  entity.backends = [...config.backendIds];
  entity.strategy = config.strategy;
  entity.strategyConfig = config.strategyConfig;
  entity.timeoutSeconds = config.timeoutSeconds;
  entity.isEnabled = config.isEnabled;
  entity.priority = config.priority;
  entity.stripPrefix = config.stripPrefix;
  entity.transformations = config.transformations;
  entity.rateLimit = config.rateLimit;
  entity.circuitBreaker = config.circuitBreaker;
  entity.retryPolicy = config.retryPolicy;
  entity.version = config.version;
  return entity;
}

export function toRouteView(entity: RouteEntity, config: RouteConfig, backends: readonly BackendView[]): RouteView {
  const byId = new Map(backends.map((backend) => [backend.backendId, backend]));
  return {
    ...inSchemaOrder(config),
    backends: config.backendIds.flatMap((id) => byId.get(id) ?? []),
    liveVersionNumber: entity.liveVersionNumber,
    latestVersionNumber: entity.latestVersionNumber,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
    createdBy: entity.createdBy,
    updatedBy: entity.updatedBy,
  };
}

const ROUTE_FIELDS = Object.keys(routeConfigSchema.shape) as Array<keyof RouteConfig>;

/** The config with its fields in the schema's order (JSONB does not keep key order). */
function inSchemaOrder(config: RouteConfig): RouteConfig {
  return Object.fromEntries(ROUTE_FIELDS.map((field) => [field, config[field]])) as RouteConfig;
}
