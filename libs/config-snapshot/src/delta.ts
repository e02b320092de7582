import { z } from 'zod';
import { fromZodIssues, type ValidationIssue } from './issues';
import { globalSettingsSchema, type BackendConfig, type ConfigSnapshot, type RouteConfig } from './schema';
import { isDeepEqual } from './deep-equal';

/** What changed in one kind of entity: the entities added or changed (whole), and the ids removed. */
export interface EntityChanges<T> {
  readonly upserted: readonly T[];
  readonly removed: readonly string[];
}

/**
 * A snapshot expressed as its changes from an earlier one (the base): applied to the base, it gives the whole
 * snapshot back, identity and hash included. A transport and storage form only: whoever receives one rebuilds the
 * complete snapshot (`applySnapshotDelta`) and validates that, so the hash still covers everything.
 */
export interface SnapshotDelta {
  readonly base: { readonly version: number; readonly hash: string };
  readonly version: number;
  readonly hash: string;
  readonly previousVersion: number | null;
  readonly auditId: string | null;
  readonly createdAt: string;
  readonly schemaVersion: number;
  readonly settings: ConfigSnapshot['settings'];
  readonly routes: EntityChanges<RouteConfig>;
  readonly backends: EntityChanges<BackendConfig>;
}

/** A delta as received: its frame is checked, its entities are left to the snapshot's validation. */
export type UntrustedSnapshotDelta = Omit<SnapshotDelta, 'routes' | 'backends'> & {
  readonly routes: EntityChanges<Record<string, unknown>>;
  readonly backends: EntityChanges<Record<string, unknown>>;
};

const entityChangesSchema = (idField: string) =>
  z.strictObject({
    upserted: z
      .array(z.looseObject({ [idField]: z.string().min(1) }))
      .max(100_000)
      .superRefine((entities, context) => {
        const seen = new Set<string>();
        entities.forEach((entity, index) => {
          const id = entity[idField] as string;
          if (seen.has(id))
            context.addIssue({ code: 'custom', path: [index, idField], message: `"${id}" is listed twice` });
          seen.add(id);
        });
      }),
    removed: z.array(z.string().min(1)).max(100_000),
  });

const snapshotDeltaSchema = z.strictObject({
  base: z.strictObject({ version: z.number().int().min(1), hash: z.string().min(1) }),
  version: z.number().int().min(1),
  hash: z.string().min(1),
  previousVersion: z.number().int().min(0).nullable(),
  auditId: z.string().nullable(),
  createdAt: z.string(),
  schemaVersion: z.number().int().min(1),
  settings: globalSettingsSchema,
  routes: entityChangesSchema('routeId'),
  backends: entityChangesSchema('backendId'),
});

/**
 * The changes that turn `base` into `next`. Linear in the number of entities: both are sorted by id, and an
 * entity that is the same object in both (consecutive snapshots share what did not change) is skipped without a
 * comparison.
 */
export function snapshotDeltaBetween(base: ConfigSnapshot, next: ConfigSnapshot): SnapshotDelta {
  return {
    base: { version: base.version, hash: base.hash },
    version: next.version,
    hash: next.hash,
    previousVersion: next.previousVersion,
    auditId: next.auditId,
    createdAt: next.createdAt,
    schemaVersion: next.schemaVersion,
    settings: next.settings,
    routes: changesBetween(base.routes, next.routes, routeIdOf),
    backends: changesBetween(base.backends, next.backends, backendIdOf),
  };
}

/** The frame of a received delta, or every issue with it (paths under `delta.`). */
export function parseSnapshotDelta(
  input: unknown,
): { ok: true; value: UntrustedSnapshotDelta } | { ok: false; issues: ValidationIssue[] } {
  const parsed = snapshotDeltaSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: fromZodIssues(parsed.error.issues, 'delta') };
  }
  return { ok: true, value: parsed.data };
}

/**
 * The whole snapshot a delta describes: the base's entities (the same objects) with the delta's removals and
 * upserts merged in, in id order. Not validated: the caller validates the result (an entity the delta did not
 * touch is the base's already validated, frozen object, so an incremental validator does not parse it again).
 * Issues when the delta does not fit the base: another base version or hash, or a removal of an unknown id.
 */
export function applySnapshotDelta(
  base: ConfigSnapshot,
  delta: UntrustedSnapshotDelta | SnapshotDelta,
): { ok: true; value: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] } {
  if (delta.base.version !== base.version || delta.base.hash !== base.hash) {
    return {
      ok: false,
      issues: [
        {
          path: 'delta.base',
          message: `is version ${delta.base.version} (hash ${delta.base.hash}); this data plane runs version ${base.version} (hash ${base.hash})`,
        },
      ],
    };
  }
  const issues: ValidationIssue[] = [];
  const routes = mergeChanges(base.routes, delta.routes, 'routeId', 'delta.routes', issues);
  const backends = mergeChanges(base.backends, delta.backends, 'backendId', 'delta.backends', issues);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      version: delta.version,
      hash: delta.hash,
      previousVersion: delta.previousVersion,
      auditId: delta.auditId,
      createdAt: delta.createdAt,
      schemaVersion: delta.schemaVersion,
      settings: delta.settings,
      routes,
      backends,
    },
  };
}

function routeIdOf(route: RouteConfig): string {
  return route.routeId;
}

function backendIdOf(backend: BackendConfig): string {
  return backend.backendId;
}

function changesBetween<T>(before: readonly T[], after: readonly T[], idOf: (entity: T) => string): EntityChanges<T> {
  const upserted: T[] = [];
  const removed: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const old = before[i];
    const now = after[j];
    const oldId = old === undefined ? undefined : idOf(old);
    const nowId = now === undefined ? undefined : idOf(now);
    if (oldId !== undefined && (nowId === undefined || oldId < nowId)) {
      removed.push(oldId);
      i++;
    } else if (nowId !== undefined && (oldId === undefined || nowId < oldId)) {
      upserted.push(now as T);
      j++;
    } else {
      if (old !== now && !isDeepEqual(old, now)) upserted.push(now as T);
      i++;
      j++;
    }
  }
  return { upserted, removed };
}

function mergeChanges<T extends object>(
  base: readonly T[],
  changes: EntityChanges<Record<string, unknown>>,
  idField: string,
  at: string,
  issues: ValidationIssue[],
): unknown[] {
  const idOf = (entity: object) => (entity as Record<string, unknown>)[idField] as string;
  const removed = new Set(changes.removed);
  const upserts = [...changes.upserted].sort((a, b) => compareIds(idOf(a), idOf(b)));
  const merged: unknown[] = [];
  let matchedRemovals = 0;
  let u = 0;
  for (const entity of base) {
    const id = idOf(entity);
    while (u < upserts.length && compareIds(idOf(upserts[u] as object), id) < 0) merged.push(upserts[u++]);
    const isReplaced = u < upserts.length && idOf(upserts[u] as object) === id;
    if (removed.has(id)) {
      matchedRemovals++;
      if (isReplaced) issues.push({ path: at, message: `"${id}" is both removed and upserted` });
      continue;
    }
    merged.push(isReplaced ? upserts[u++] : entity);
  }
  while (u < upserts.length) merged.push(upserts[u++]);
  if (matchedRemovals !== removed.size) {
    for (const [index, id] of changes.removed.entries()) {
      if (!base.some((entity) => idOf(entity) === id)) {
        issues.push({ path: `${at}.removed[${index}]`, message: `"${id}" is not in the base snapshot` });
      }
    }
  }
  return merged;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `sorted` (in id order) with the entities of `upserts` put in (replacing one of the same id) and those of `removed`
 * taken out, still in id order, in work proportional to the changes (plus one copy of the array). Ids of `removed`
 * that are not in `sorted` are ignored; none may be in `upserts`.
 */
export function withChangesById<T>(
  sorted: readonly T[],
  upserts: ReadonlyMap<string, T>,
  removed: readonly string[],
  idOf: (entity: T) => string,
): T[] {
  const entities = sorted.slice();
  for (const id of removed) {
    const position = positionOfId(entities, id, idOf);
    if (position < entities.length && idOf(entities[position] as T) === id) entities.splice(position, 1);
  }
  for (const [id, entity] of upserts) {
    const position = positionOfId(entities, id, idOf);
    if (position < entities.length && idOf(entities[position] as T) === id) entities[position] = entity;
    else entities.splice(position, 0, entity);
  }
  return entities;
}

/** Where `id` is, or would be inserted, in `entities` sorted by id. */
export function positionOfId<T>(entities: readonly T[], id: string, idOf: (entity: T) => string): number {
  let low = 0;
  let high = entities.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (idOf(entities[middle] as T) < id) low = middle + 1;
    else high = middle;
  }
  return low;
}
