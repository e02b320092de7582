import { canonicalJson, canonicalRoute, hashCanonicalParts } from './hash';
import { isDeepEqual } from './deep-equal';
import { applySnapshotDelta, withChangesById, type UntrustedSnapshotDelta } from './delta';
import { deepFreeze } from './snapshot';
import {
  backendConfigSchema,
  configSnapshotSchema,
  routeConfigSchema,
  snapshotContentSchema,
  type BackendConfig,
  type ConfigSnapshot,
  type RouteConfig,
  type SnapshotContent,
} from './schema';
import { crossCheck, validateSnapshot, validateSnapshotContent, type ValidationResult } from './validate';

const MAX_ROUTES = 10_000;
const MAX_BACKENDS = 100_000;

interface Remembered<T> {
  /** The validated (frozen) entity. */
  readonly value: T;
  /** Its canonical JSON as the content hash covers it. */
  readonly canonical: string;
}

/**
 * `validateSnapshot` (and `validateSnapshotContent`) that remembers the routes and backends of the last snapshot it accepted, so that a snapshot
 * differing from it in one route parses one route instead of 110,000 entities. Its result equals
 * `validateSnapshot`'s on every input (same value, same hash, same issues):
 *
 * - an entity deep-equal to a remembered validated one is that one. This holds because the schema's only transform
 *   (durations as text to milliseconds) leaves its own output unchanged: a valid output parses to itself;
 * - every other entity is parsed with its own schema; if any of them, or the snapshot's other fields, fails, the
 *   whole input goes through `validateSnapshot`, so issues are exactly its own (paths, order, messages);
 * - the cross-entity rules (unique ids and names, route → backend references, traffic splits) run over the whole
 *   snapshot every time, and the hash is computed over all of it from each entity's remembered canonical JSON.
 *
 * Accepted values are deep-frozen: entities are shared between consecutive snapshots.
 */
export class SnapshotValidator {
  private routes = new Map<string, Remembered<RouteConfig>>();
  private backends = new Map<string, Remembered<BackendConfig>>();
  /** The snapshot `validate` accepted last, with its entities in order: what a delta is applied to. */
  private accepted:
    | {
        snapshot: ConfigSnapshot;
        routes: ReadonlyArray<Remembered<RouteConfig>>;
        backends: ReadonlyArray<Remembered<BackendConfig>>;
      }
    | undefined;

  /** Equals `validateSnapshot(input)`. */
  validate(input: unknown): ValidationResult<ConfigSnapshot> {
    return this.run(input, configSnapshotSchema, validateSnapshot, true);
  }

  /**
   * Equals `validateSnapshot` of the snapshot `delta` describes on `base` (`applySnapshotDelta`), with the issues of
   * a delta that does not fit `base`. When `base` is the snapshot this validator accepted last, only the delta's
   * entities are parsed and nothing is done per unchanged entity but copying references (and the cross-entity
   * checks and hash, which cover the whole snapshot).
   */
  validateDelta(base: ConfigSnapshot, delta: UntrustedSnapshotDelta): ValidationResult<ConfigSnapshot> {
    const fast = this.accepted?.snapshot === base ? this.validateDeltaIncrementally(base, delta) : undefined;
    if (fast !== undefined) return fast;
    const applied = applySnapshotDelta(base, delta);
    return applied.ok ? this.validate(applied.value) : applied;
  }

  /** Equals `validateSnapshotContent(input)` (the control plane's check of what it is about to publish). */
  validateContent(input: unknown): ValidationResult<SnapshotContent> {
    this.accepted = undefined;
    return this.run(input, snapshotContentSchema, validateSnapshotContent, false);
  }

  /**
   * Equals `hashSnapshotContent(content)`; routes and backends this validator accepted last time (the same
   * objects) are not serialized again.
   */
  hashOf(content: SnapshotContent): string {
    return hashCanonicalParts(
      content.schemaVersion,
      content.settings,
      content.routes.map((route) => {
        const known = this.routes.get(route.routeId);
        return known?.value === route ? known.canonical : canonicalJson(canonicalRoute(route));
      }),
      content.backends.map((backend) => {
        const known = this.backends.get(backend.backendId);
        return known?.value === backend ? known.canonical : canonicalJson(backend);
      }),
    );
  }

  private run<T extends SnapshotContent>(
    input: unknown,
    topSchema: typeof configSnapshotSchema | typeof snapshotContentSchema,
    validateFully: (input: unknown) => ValidationResult<T>,
    isHashChecked: boolean,
  ): ValidationResult<T> {
    const attempt = this.validateIncrementally<T>(input, topSchema, isHashChecked);
    if (attempt?.result.ok === true) {
      this.routes = adopt(this.routes, attempt.routes, (route) => route.routeId);
      this.backends = adopt(this.backends, attempt.backends, (backend) => backend.backendId);
      this.remember(attempt.result.value, attempt.routes.entries, attempt.backends.entries, isHashChecked);
      return attempt.result;
    }
    const result = validateFully(input);
    if (result.ok) {
      const routes = result.value.routes.map(rememberRoute);
      const backends = result.value.backends.map(rememberBackend);
      this.routes = byId(routes, (route) => route.routeId);
      this.backends = byId(backends, (backend) => backend.backendId);
      this.remember(result.value, routes, backends, isHashChecked);
      // crossCheck keeps per-route results only for frozen routes: warmed now, the next snapshot pays for its changes.
      crossCheck(result.value);
    }
    return result;
  }

  private remember(
    value: SnapshotContent,
    routes: ReadonlyArray<Remembered<RouteConfig>>,
    backends: ReadonlyArray<Remembered<BackendConfig>>,
    isSnapshot: boolean,
  ): void {
    this.accepted = isSnapshot ? { snapshot: value as ConfigSnapshot, routes, backends } : undefined;
  }

  /**
   * The delta's snapshot validated from the accepted one's entities, or `undefined` when anything does not fit or
   * does not validate: the caller then validates the rebuilt snapshot as a whole (for the exact issues).
   */
  private validateDeltaIncrementally(
    base: ConfigSnapshot,
    delta: UntrustedSnapshotDelta,
  ): ValidationResult<ConfigSnapshot> | undefined {
    const accepted = this.accepted;
    if (accepted === undefined || delta.base.version !== base.version || delta.base.hash !== base.hash)
      return undefined;
    const { routes: _routes, backends: _backends, base: _base, ...identity } = delta;
    const top = configSnapshotSchema.safeParse({ ...identity, routes: [], backends: [] });
    if (!top.success) return undefined;
    const routeUpserts = upsertsOf(delta.routes, this.routes, 'routeId', (raw) => {
      const parsed = routeConfigSchema.safeParse(raw);
      return parsed.success ? rememberRoute(parsed.data) : undefined;
    });
    const backendUpserts = upsertsOf(delta.backends, this.backends, 'backendId', (raw) => {
      const parsed = backendConfigSchema.safeParse(raw);
      return parsed.success ? rememberBackend(parsed.data) : undefined;
    });
    if (routeUpserts === undefined || backendUpserts === undefined) return undefined;
    const routes = withChangesById(accepted.routes, routeUpserts, delta.routes.removed, rememberedRouteId);
    const backends = withChangesById(accepted.backends, backendUpserts, delta.backends.removed, rememberedBackendId);
    if (routes.length > MAX_ROUTES || backends.length > MAX_BACKENDS) return undefined;

    const value = top.data;
    value.routes = routes.map((entry) => entry.value);
    value.backends = backends.map((entry) => entry.value);
    if (crossCheck(value).length > 0) return undefined;
    const hash = hashCanonicalParts(
      value.schemaVersion,
      value.settings,
      routes.map((entry) => entry.canonical),
      backends.map((entry) => entry.canonical),
    );
    if (hash !== value.hash) return undefined;

    for (const id of delta.routes.removed) this.routes.delete(id);
    for (const id of delta.backends.removed) this.backends.delete(id);
    for (const [id, entry] of routeUpserts) this.routes.set(id, entry);
    for (const [id, entry] of backendUpserts) this.backends.set(id, entry);
    this.accepted = { snapshot: value, routes, backends };
    return { ok: true, value };
  }

  /** `undefined` when the input is not worth taking apart: the full validation decides. */
  private validateIncrementally<T extends SnapshotContent>(
    input: unknown,
    topSchema: typeof configSnapshotSchema | typeof snapshotContentSchema,
    isHashChecked: boolean,
  ):
    | {
        result: ValidationResult<T>;
        routes: Entities<RouteConfig>;
        backends: Entities<BackendConfig>;
      }
    | undefined {
    if (!isRecord(input) || !Array.isArray(input.routes) || !Array.isArray(input.backends)) return undefined;
    const rawRoutes: unknown[] = input.routes;
    const rawBackends: unknown[] = input.backends;
    if (rawRoutes.length > MAX_ROUTES || rawBackends.length > MAX_BACKENDS) return undefined;
    const top = topSchema.safeParse({ ...input, routes: [], backends: [] });
    if (!top.success) return undefined;

    const backends = entitiesOf(rawBackends, this.backends, 'backendId', (raw) => {
      const parsed = backendConfigSchema.safeParse(raw);
      return parsed.success ? rememberBackend(parsed.data) : undefined;
    });
    if (backends === undefined) return undefined;
    const routes = entitiesOf(rawRoutes, this.routes, 'routeId', (raw) => {
      const parsed = routeConfigSchema.safeParse(raw);
      return parsed.success ? rememberRoute(parsed.data) : undefined;
    });
    if (routes === undefined) return undefined;

    const value = top.data as T;
    value.routes = routes.entries.map((entry) => entry.value);
    value.backends = backends.entries.map((entry) => entry.value);
    const issues = crossCheck(value);
    if (isHashChecked) {
      const hash = hashCanonicalParts(
        value.schemaVersion,
        value.settings,
        routes.entries.map((entry) => entry.canonical),
        backends.entries.map((entry) => entry.canonical),
      );
      if (hash !== (value as unknown as ConfigSnapshot).hash) {
        issues.push({ path: 'hash', message: `does not match the content (expected ${hash})` });
      }
    }
    const result: ValidationResult<T> = issues.length > 0 ? { ok: false, issues } : { ok: true, value };
    return { result, routes, backends };
  }
}

function rememberedRouteId(entry: Remembered<RouteConfig>): string {
  return entry.value.routeId;
}

function rememberedBackendId(entry: Remembered<BackendConfig>): string {
  return entry.value.backendId;
}

/**
 * A delta's upserted entities by id, each remembered (reused when deep-equal to the remembered one, else parsed);
 * `undefined` when one does not parse, or an id is also removed or would not be unique.
 */
function upsertsOf<T extends object>(
  changes: { readonly upserted: ReadonlyArray<Record<string, unknown>>; readonly removed: readonly string[] },
  remembered: ReadonlyMap<string, Remembered<T>>,
  idField: keyof T & string,
  parse: (raw: unknown) => Remembered<T> | undefined,
): Map<string, Remembered<T>> | undefined {
  const upserts = new Map<string, Remembered<T>>();
  for (const raw of changes.upserted) {
    const id = raw[idField];
    if (typeof id !== 'string' || upserts.has(id)) return undefined;
    const known = remembered.get(id);
    const entry = known !== undefined && isDeepEqual(raw, known.value) ? known : parse(raw);
    if (entry === undefined) return undefined;
    upserts.set(id, entry);
  }
  for (const id of changes.removed) if (upserts.has(id) || !remembered.has(id)) return undefined;
  return upserts;
}

function rememberRoute(route: RouteConfig): Remembered<RouteConfig> {
  return { value: deepFreeze(route), canonical: canonicalJson(canonicalRoute(route)) };
}

function rememberBackend(backend: BackendConfig): Remembered<BackendConfig> {
  return { value: deepFreeze(backend), canonical: canonicalJson(backend) };
}

function byId<T>(entries: ReadonlyArray<Remembered<T>>, idOf: (value: T) => string): Map<string, Remembered<T>> {
  return new Map(entries.map((entry) => [idOf(entry.value), entry]));
}

/** The entities of a snapshot being validated, and which of them were not remembered. */
interface Entities<T> {
  readonly entries: Array<Remembered<T>>;
  /** Entries parsed now (not remembered), in order. */
  readonly fresh: Array<Remembered<T>>;
  /** Remembered entries reused as they were. */
  readonly reused: number;
  /** Fresh entries whose id was remembered (a changed entity). */
  readonly replaced: number;
}

/** Each raw entity as a remembered one (reused when deep-equal, else parsed); `undefined` when one does not parse. */
function entitiesOf<T extends object>(
  raws: readonly unknown[],
  remembered: ReadonlyMap<string, Remembered<T>>,
  idField: keyof T & string,
  parse: (raw: unknown) => Remembered<T> | undefined,
): Entities<T> | undefined {
  const entries: Array<Remembered<T>> = [];
  const fresh: Array<Remembered<T>> = [];
  let reused = 0;
  let replaced = 0;
  for (const raw of raws) {
    const id = isRecord(raw) ? raw[idField] : undefined;
    const known = typeof id === 'string' ? remembered.get(id) : undefined;
    if (known !== undefined && isDeepEqual(raw, known.value)) {
      entries.push(known);
      reused++;
      continue;
    }
    const entry = parse(raw);
    if (entry === undefined) return undefined;
    entries.push(entry);
    fresh.push(entry);
    if (known !== undefined) replaced++;
  }
  return { entries, fresh, reused, replaced };
}

/**
 * The remembered entities after `accepted` (whose ids are unique: it passed the cross-entity checks). When every
 * remembered id is still there, the map is updated in place with the fresh entries instead of being rebuilt.
 */
function adopt<T>(
  remembered: Map<string, Remembered<T>>,
  accepted: Entities<T>,
  idOf: (value: T) => string,
): Map<string, Remembered<T>> {
  if (accepted.reused + accepted.replaced !== remembered.size) return byId(accepted.entries, idOf);
  for (const entry of accepted.fresh) remembered.set(idOf(entry.value), entry);
  return remembered;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
