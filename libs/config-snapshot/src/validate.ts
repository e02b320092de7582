import { hashSnapshotContent } from './hash';
import { fromZodIssues, type ValidationIssue } from './issues';
import { parsePathPattern } from './path-pattern';
import {
  configSnapshotSchema,
  snapshotContentSchema,
  type ConfigSnapshot,
  type RouteConfig,
  type SnapshotContent,
  type TrafficSplit,
} from './schema';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Validates snapshot content: shape, then every rule that spans fields. Returns every issue found. */
export function validateSnapshotContent(input: unknown): ValidationResult<SnapshotContent> {
  const parsed = snapshotContentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: fromZodIssues(parsed.error.issues) };
  const issues = crossCheck(parsed.data);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: parsed.data };
}

/** Validates a complete snapshot, including that its hash matches its content. */
export function validateSnapshot(input: unknown): ValidationResult<ConfigSnapshot> {
  const parsed = configSnapshotSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: fromZodIssues(parsed.error.issues) };
  const issues = crossCheck(parsed.data);
  const hash = hashSnapshotContent(parsed.data);
  if (hash !== parsed.data.hash) {
    issues.push({ path: 'hash', message: `does not match the content (expected ${hash})` });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: parsed.data };
}

/** The rules that span entities (unique ids and names, references, traffic splits): every issue. */
export function crossCheck(content: SnapshotContent): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const backendIds = new Set<string>();
  content.backends.forEach((backend, index) => {
    if (backendIds.has(backend.backendId)) {
      issues.push({
        path: `backends[${index}].backendId`,
        message: `"${backend.backendId}" is used by another backend`,
      });
    }
    backendIds.add(backend.backendId);
  });

  const routeIds = new Set<string>();
  const routeNames = new Set<string>();
  const routeKeys = new Map<string, number>();
  content.routes.forEach((route, index) => {
    const at = `routes[${index}]`;
    if (routeIds.has(route.routeId)) {
      issues.push({ path: `${at}.routeId`, message: `"${route.routeId}" is used by another route` });
    }
    routeIds.add(route.routeId);
    if (routeNames.has(route.name))
      issues.push({ path: `${at}.name`, message: `"${route.name}" is used by another route` });
    routeNames.add(route.name);
    for (const key of routeMatchKeys(route)) {
      const other = routeKeys.get(key);
      if (other !== undefined) {
        issues.push({
          path: `${at}.pathPattern`,
          message: `routes[${other}] already matches the same host, path pattern, method and priority`,
        });
        break;
      }
    }
    for (const key of routeMatchKeys(route)) routeKeys.set(key, index);
    issues.push(...checkRoute(route, at, backendIds));
    if (route.trafficSplit !== null) issues.push(...checkTrafficSplit(route, at, backendIds));
  });
  return issues;
}

/** Match keys by route object: a route left unchanged is the same frozen object in the next snapshot. */
const matchKeysOfRoute = new WeakMap<RouteConfig, string[]>();

function routeMatchKeys(route: RouteConfig): string[] {
  if (!Object.isFrozen(route) || !Object.isFrozen(route.methods)) return computeRouteMatchKeys(route);
  let keys = matchKeysOfRoute.get(route);
  if (keys === undefined) {
    keys = computeRouteMatchKeys(route);
    matchKeysOfRoute.set(route, keys);
  }
  return keys;
}

function computeRouteMatchKeys(route: RouteConfig): string[] {
  const parsed = parsePathPattern(route.pathPattern);
  const shape = parsed.ok
    ? parsed.value.segments
        .map((s) => (s.kind === 'literal' ? `l:${s.value}` : s.kind === 'param' ? 'p' : s.kind))
        .join('/')
    : route.pathPattern;
  const methods = route.methods.length === 0 ? ['*'] : route.methods;
  return methods.map((method) => `${route.host ?? '*'}|${shape}|${method}|${route.priority}`);
}

/** The new version in a route's traffic split obeys the rules of a route's forwarding config. */
function checkTrafficSplit(route: RouteConfig, at: string, backendIds: ReadonlySet<string>): ValidationIssue[] {
  const split = route.trafficSplit as TrafficSplit;
  const issues = checkRoute({ ...route, ...split.canary }, `${at}.trafficSplit.canary`, backendIds);
  if (split.pinHeader.toLowerCase() === split.previewHeader.toLowerCase()) {
    issues.push({ path: `${at}.trafficSplit.previewHeader`, message: 'must differ from pinHeader' });
  }
  if (new Set(split.rolloutDataPlaneIds).size !== split.rolloutDataPlaneIds.length) {
    issues.push({ path: `${at}.trafficSplit.rolloutDataPlaneIds`, message: 'lists a data plane twice' });
  }
  if (split.strategy !== 'Rolling' && split.rolloutDataPlaneIds.length > 0) {
    issues.push({ path: `${at}.trafficSplit.rolloutDataPlaneIds`, message: 'is only used by the Rolling strategy' });
  }
  return issues;
}

function checkRoute(route: RouteConfig, at: string, backendIds: ReadonlySet<string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const own = new Set(route.backendIds);
  route.backendIds.forEach((id, index) => {
    if (!backendIds.has(id))
      issues.push({ path: `${at}.backendIds[${index}]`, message: `backend "${id}" does not exist` });
  });
  if (own.size !== route.backendIds.length) issues.push({ path: `${at}.backendIds`, message: 'lists a backend twice' });

  const config = route.strategyConfig;
  if (route.strategy === 'HeaderBased') {
    if (!config?.headerName)
      issues.push({ path: `${at}.strategyConfig.headerName`, message: 'is required by HeaderBased' });
    if (!config?.defaultBackend) {
      issues.push({ path: `${at}.strategyConfig.defaultBackend`, message: 'is required by HeaderBased' });
    }
  }
  if (config?.defaultBackend && !own.has(config.defaultBackend)) {
    issues.push({
      path: `${at}.strategyConfig.defaultBackend`,
      message: `backend "${config.defaultBackend}" is not one of the route's backends`,
    });
  }
  for (const [value, backendId] of Object.entries(config?.routingRules ?? {})) {
    if (!own.has(backendId)) {
      issues.push({
        path: `${at}.strategyConfig.routingRules.${value}`,
        message: `backend "${backendId}" is not one of the route's backends`,
      });
    }
  }
  const retry = route.retryPolicy;
  if (retry && retry.initialDelayMs > retry.maxDelayMs) {
    issues.push({ path: `${at}.retryPolicy.initialDelayMs`, message: 'must not exceed maxDelayMs' });
  }
  return issues;
}
