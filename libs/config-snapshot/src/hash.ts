import { createHash, type Hash } from 'node:crypto';
import type { BackendConfig, RouteConfig, SnapshotContent } from './schema';

/** JSON with object keys sorted at every depth: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined) out[key] = sortKeys(entry);
    }
    return out;
  }
  return value;
}

/**
 * The sha256 hex digest of a snapshot's content (schema version, settings, routes, backends). Identity fields
 * (version, previous version, audit id, creation time) are not covered, so a rollback to old content yields the
 * old hash again. A route's `trafficSplit: null` is not covered (it is the default). The canonical JSON of a
 * deep-frozen route or backend is remembered by object: a snapshot sharing entities with the previous one
 * serializes only its new ones.
 */
export function hashSnapshotContent(content: SnapshotContent): string {
  return hashCanonicalParts(
    content.schemaVersion,
    content.settings,
    content.routes.map(canonicalRouteJson),
    content.backends.map(canonicalBackendJson),
  );
}

/** By entity object: an entity left unchanged is the same deep-frozen object in the next snapshot. */
const canonicalJsonOfRoute = new WeakMap<RouteConfig, string>();
const canonicalJsonOfBackend = new WeakMap<BackendConfig, string>();

function canonicalRouteJson(route: RouteConfig): string {
  let json = canonicalJsonOfRoute.get(route);
  if (json === undefined) {
    json = canonicalJson(canonicalRoute(route));
    if (isDeepFrozen(route)) canonicalJsonOfRoute.set(route, json);
  }
  return json;
}

function canonicalBackendJson(backend: BackendConfig): string {
  let json = canonicalJsonOfBackend.get(backend);
  if (json === undefined) {
    json = canonicalJson(backend);
    if (isDeepFrozen(backend)) canonicalJsonOfBackend.set(backend, json);
  }
  return json;
}

/**
 * Whether `value` and every object reachable from it through enumerable own properties are frozen: plain data for
 * which that holds can never change, so what is derived from it may be remembered by object.
 */
export function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  for (const key of Object.keys(value)) {
    if (!isDeepFrozen((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** A route as the content hash covers it: without `trafficSplit` when it is null. */
export function canonicalRoute(route: RouteConfig): unknown {
  // A route without a deployment hashes as before the field existed: stored and cached snapshots keep their hash.
  if (route.trafficSplit !== null) return route;
  const { trafficSplit: _none, ...rest } = route;
  return rest;
}

/**
 * The content hash from each route's and backend's canonical JSON: the digest of
 * `canonicalJson({ schemaVersion, settings, routes, backends })`, fed piece by piece.
 */
export function hashCanonicalParts(
  schemaVersion: number,
  settings: SnapshotContent['settings'],
  routes: readonly string[],
  backends: readonly string[],
): string {
  const hash = createHash('sha256');
  // canonicalJson sorts the keys: backends, routes, schemaVersion, settings.
  hash.update('{"backends":[');
  updateJoined(hash, backends);
  hash.update('],"routes":[');
  updateJoined(hash, routes);
  hash.update(`],"schemaVersion":${JSON.stringify(schemaVersion)},"settings":${canonicalJson(settings)}}`);
  return hash.digest('hex');
}

/** Parts per `hash.update`: a call per part costs more than hashing it; one string of all of them costs memory. */
const PARTS_PER_UPDATE = 128;

function updateJoined(hash: Hash, parts: readonly string[]): void {
  for (let start = 0; start < parts.length; start += PARTS_PER_UPDATE) {
    if (start > 0) hash.update(',');
    hash.update(parts.slice(start, start + PARTS_PER_UPDATE).join(','));
  }
}
