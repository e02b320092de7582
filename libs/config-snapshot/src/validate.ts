import { hashSnapshotContent, isDeepFrozen } from './hash';
import { fromZodIssues, type ValidationIssue } from './issues';
import { parsePathPattern } from './path-pattern';
import {
  configSnapshotSchema,
  snapshotContentSchema,
  type BackendConfig,
  type ConfigSnapshot,
  type RouteConfig,
  type SnapshotContent,
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

/**
 * The rules that span entities (unique ids and names, references, traffic splits): every issue. What depends on a
 * route alone is remembered by route object when the route is deep-frozen, and the backend ids of the last call are
 * reused while the next call lists the same ids in the same order, so that a snapshot sharing its entities with the
 * previous one costs little more than the lookups between them. The issues are the same either way.
 */
export function crossCheck(content: SnapshotContent): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const backendIds = backendIdIndexOf(content.backends);
  for (const index of backendIds.repeatedAt) {
    issues.push({
      path: `backends[${index}].backendId`,
      message: `"${backendIds.ids[index]}" is used by another backend`,
    });
  }

  const routeIds = new Set<string>();
  const routeNames = new Set<string>();
  const routeKeys = new Map<string, number>();
  const routes = content.routes;
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index]!;
    const own = ownChecksOf(route);
    if (routeIds.has(route.routeId)) {
      issues.push({ path: `routes[${index}].routeId`, message: `"${route.routeId}" is used by another route` });
    } else {
      routeIds.add(route.routeId);
    }
    if (routeNames.has(route.name)) {
      issues.push({ path: `routes[${index}].name`, message: `"${route.name}" is used by another route` });
    } else {
      routeNames.add(route.name);
    }
    const matchKeys = own.matchKeys;
    for (const key of matchKeys) {
      const other = routeKeys.get(key);
      if (other !== undefined) {
        issues.push({
          path: `routes[${index}].pathPattern`,
          message: `routes[${other}] already matches the same host, path pattern, method and priority`,
        });
        break;
      }
    }
    for (const key of matchKeys) routeKeys.set(key, index);

    const isEachBackendKnown = own.backendsFoundIn === backendIds.generation;
    let isEachBackendFound =
      isEachBackendKnown || pushMissingBackends(issues, route.backendIds, index, '.backendIds', backendIds.set);
    pushOwnIssues(issues, own.routeIssues, index);
    if (own.canaryBackendIds !== undefined) {
      if (!isEachBackendKnown) {
        isEachBackendFound =
          pushMissingBackends(issues, own.canaryBackendIds, index, '.trafficSplit.canary.backendIds', backendIds.set) &&
          isEachBackendFound;
      }
      pushOwnIssues(issues, own.trafficSplitIssues, index);
    }
    if (isEachBackendFound) own.backendsFoundIn = backendIds.generation;
  }
  return issues;
}

/** The backend ids of a snapshot, in order. */
interface BackendIdIndex {
  readonly ids: readonly string[];
  readonly set: ReadonlySet<string>;
  /** Indexes of the backends whose id an earlier backend has. */
  readonly repeatedAt: readonly number[];
  /** Unique to this index: what a route's references were found in. */
  readonly generation: number;
}

/** The last snapshot's: the next snapshot usually lists the same backend ids in the same order. */
let lastBackendIdIndex: BackendIdIndex | undefined;
let backendIdIndexCount = 0;

function backendIdIndexOf(backends: readonly BackendConfig[]): BackendIdIndex {
  const last = lastBackendIdIndex;
  if (last !== undefined && hasIdsInOrder(backends, last.ids)) return last;
  const ids: string[] = [];
  const set = new Set<string>();
  const repeatedAt: number[] = [];
  for (let index = 0; index < backends.length; index++) {
    const id = backends[index]!.backendId;
    ids.push(id);
    if (set.has(id)) repeatedAt.push(index);
    else set.add(id);
  }
  backendIdIndexCount += 1;
  lastBackendIdIndex = { ids, set, repeatedAt, generation: backendIdIndexCount };
  return lastBackendIdIndex;
}

function hasIdsInOrder(backends: readonly BackendConfig[], ids: readonly string[]): boolean {
  if (backends.length !== ids.length) return false;
  for (let index = 0; index < ids.length; index++) if (backends[index]!.backendId !== ids[index]) return false;
  return true;
}

/** An issue a route has whatever the rest of the snapshot: its path below `routes[i]`. */
interface OwnIssue {
  readonly subpath: string;
  readonly message: string;
}

/** What the cross checks need of one route that depends on the route alone. */
interface OwnChecks {
  readonly matchKeys: readonly string[];
  /** The route's own issues after its backend references: repeated backends, strategy config, retry policy. */
  readonly routeIssues: readonly OwnIssue[];
  /** The traffic split's canary backends; `undefined` without a traffic split. */
  readonly canaryBackendIds: readonly string[] | undefined;
  /** The traffic split's own issues after the canary's backend references. */
  readonly trafficSplitIssues: readonly OwnIssue[];
  /** The generation of the backend id index in which every backend the route references was found; 0 for none. */
  backendsFoundIn: number;
}

const NO_ISSUES: readonly OwnIssue[] = Object.freeze([]);

/** By route object: a route left unchanged is the same deep-frozen object in the next snapshot. */
const ownChecksOfRoute = new WeakMap<RouteConfig, OwnChecks>();

function ownChecksOf(route: RouteConfig): OwnChecks {
  let checks = ownChecksOfRoute.get(route);
  if (checks === undefined) {
    checks = computeOwnChecks(route);
    if (isDeepFrozen(route)) ownChecksOfRoute.set(route, checks);
  }
  return checks;
}

function computeOwnChecks(route: RouteConfig): OwnChecks {
  const routeIssues: OwnIssue[] = [];
  pushForwardingIssues(routeIssues, route, '');
  const split = route.trafficSplit;
  if (split === null) {
    return {
      matchKeys: computeRouteMatchKeys(route),
      routeIssues: issuesOrNone(routeIssues),
      canaryBackendIds: undefined,
      trafficSplitIssues: NO_ISSUES,
      backendsFoundIn: 0,
    };
  }
  const canary: RouteConfig = { ...route, ...split.canary };
  const trafficSplitIssues: OwnIssue[] = [];
  pushForwardingIssues(trafficSplitIssues, canary, '.trafficSplit.canary');
  if (split.pinHeader.toLowerCase() === split.previewHeader.toLowerCase()) {
    trafficSplitIssues.push({ subpath: '.trafficSplit.previewHeader', message: 'must differ from pinHeader' });
  }
  if (hasRepeatedEntry(split.rolloutDataPlaneIds)) {
    trafficSplitIssues.push({ subpath: '.trafficSplit.rolloutDataPlaneIds', message: 'lists a data plane twice' });
  }
  if (split.strategy !== 'Rolling' && split.rolloutDataPlaneIds.length > 0) {
    trafficSplitIssues.push({
      subpath: '.trafficSplit.rolloutDataPlaneIds',
      message: 'is only used by the Rolling strategy',
    });
  }
  return {
    matchKeys: computeRouteMatchKeys(route),
    routeIssues: issuesOrNone(routeIssues),
    canaryBackendIds: canary.backendIds,
    trafficSplitIssues: issuesOrNone(trafficSplitIssues),
    backendsFoundIn: 0,
  };
}

function issuesOrNone(issues: readonly OwnIssue[]): readonly OwnIssue[] {
  return issues.length > 0 ? issues : NO_ISSUES;
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

/** Appends an issue for each of `ids` that names no backend of the snapshot; whether there was none. */
function pushMissingBackends(
  issues: ValidationIssue[],
  ids: readonly string[],
  routeIndex: number,
  subpath: string,
  backendIds: ReadonlySet<string>,
): boolean {
  let isEachFound = true;
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index]!;
    if (!backendIds.has(id)) {
      issues.push({ path: `routes[${routeIndex}]${subpath}[${index}]`, message: `backend "${id}" does not exist` });
      isEachFound = false;
    }
  }
  return isEachFound;
}

function pushOwnIssues(issues: ValidationIssue[], own: readonly OwnIssue[], routeIndex: number): void {
  for (const issue of own) issues.push({ path: `routes[${routeIndex}]${issue.subpath}`, message: issue.message });
}

/** The rules of a route's forwarding config that need no other entity (its backends' existence aside). */
function pushForwardingIssues(issues: OwnIssue[], route: RouteConfig, at: string): void {
  const backendIds = route.backendIds;
  if (hasRepeatedEntry(backendIds)) issues.push({ subpath: `${at}.backendIds`, message: 'lists a backend twice' });

  const config = route.strategyConfig;
  if (route.strategy === 'HeaderBased') {
    if (!config?.headerName) {
      issues.push({ subpath: `${at}.strategyConfig.headerName`, message: 'is required by HeaderBased' });
    }
    if (!config?.defaultBackend) {
      issues.push({ subpath: `${at}.strategyConfig.defaultBackend`, message: 'is required by HeaderBased' });
    }
  }
  if (config) {
    const own = new Set(backendIds);
    if (config.defaultBackend && !own.has(config.defaultBackend)) {
      issues.push({
        subpath: `${at}.strategyConfig.defaultBackend`,
        message: `backend "${config.defaultBackend}" is not one of the route's backends`,
      });
    }
    for (const [value, backendId] of Object.entries(config.routingRules ?? {})) {
      if (!own.has(backendId)) {
        issues.push({
          subpath: `${at}.strategyConfig.routingRules.${value}`,
          message: `backend "${backendId}" is not one of the route's backends`,
        });
      }
    }
  }
  const retry = route.retryPolicy;
  if (retry && retry.initialDelayMs > retry.maxDelayMs) {
    issues.push({ subpath: `${at}.retryPolicy.initialDelayMs`, message: 'must not exceed maxDelayMs' });
  }
}

/** Up to this length, comparing every pair costs less than building a Set. */
const PAIRWISE_LENGTH_LIMIT = 32;

function hasRepeatedEntry(list: readonly string[]): boolean {
  if (list.length > PAIRWISE_LENGTH_LIMIT) return new Set(list).size !== list.length;
  for (let i = 1; i < list.length; i++) {
    for (let j = 0; j < i; j++) if (list[i] === list[j]) return true;
  }
  return false;
}
