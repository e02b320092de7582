import { canonicalJson } from './hash';
import type { ConfigSnapshot } from './schema';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface EntityDiff {
  added: string[];
  removed: string[];
  changed: Array<{ id: string; changes: FieldChange[] }>;
}

/** What changed between two snapshots, by route and backend id, field by field. */
export interface SnapshotDiff {
  fromVersion: number;
  toVersion: number;
  routes: EntityDiff;
  backends: EntityDiff;
  settings: FieldChange[];
}

export function diffSnapshots(from: ConfigSnapshot, to: ConfigSnapshot): SnapshotDiff {
  return {
    fromVersion: from.version,
    toVersion: to.version,
    routes: diffEntities(from.routes, to.routes, (route) => route.routeId),
    backends: diffEntities(from.backends, to.backends, (backend) => backend.backendId),
    settings: diffFields(from.settings, to.settings),
  };
}

function diffEntities<T extends object>(
  before: readonly T[],
  after: readonly T[],
  idOf: (entity: T) => string,
): EntityDiff {
  const beforeById = new Map(before.map((entity) => [idOf(entity), entity]));
  const afterById = new Map(after.map((entity) => [idOf(entity), entity]));
  const diff: EntityDiff = { added: [], removed: [], changed: [] };
  for (const [id, entity] of afterById) {
    const old = beforeById.get(id);
    if (!old) diff.added.push(id);
    else {
      const changes = diffFields(old, entity);
      if (changes.length > 0) diff.changed.push({ id, changes });
    }
  }
  for (const id of beforeById.keys()) if (!afterById.has(id)) diff.removed.push(id);
  return diff;
}

function diffFields(before: object, after: object): FieldChange[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changes: FieldChange[] = [];
  for (const field of [...fields].sort()) {
    const a = (before as Record<string, unknown>)[field];
    const b = (after as Record<string, unknown>)[field];
    if (canonicalJson(a) !== canonicalJson(b)) changes.push({ field, before: a ?? null, after: b ?? null });
  }
  return changes;
}
