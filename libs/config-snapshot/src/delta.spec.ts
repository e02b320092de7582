import { aBackend, aRoute, aSnapshot, seededRandom } from '@hotswap/testing';
import { applySnapshotDelta, parseSnapshotDelta, snapshotDeltaBetween } from './delta';
import type { BackendConfig, ConfigSnapshot, RouteConfig } from './schema';
import { SnapshotValidator } from './snapshot-validator';
import { validateSnapshot } from './validate';

/** What travels: JSON, decoded again. */
function overTheWire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function firstSnapshot(routeCount: number, backendCount: number): ConfigSnapshot {
  const backends = Array.from({ length: backendCount }, (_, n) =>
    aBackend({ backendId: `b${n}`, name: `b${n}`, url: `http://127.0.0.1:9/b${n}` }),
  );
  const routes = Array.from({ length: routeCount }, (_, n) =>
    aRoute({ routeId: `r${n}`, name: `r${n}`, pathPattern: `/r${n}/**`, backendIds: [`b${n % backendCount}`] }),
  );
  return aSnapshot({ routes, backends }, { version: 1 });
}

/** A valid next snapshot: a few routes and backends added, changed or removed. */
function nextSnapshot(base: ConfigSnapshot, next: () => number, step: number): ConfigSnapshot {
  const routes: RouteConfig[] = [...base.routes];
  const backends: BackendConfig[] = [...base.backends];
  const changes = 1 + Math.floor(next() * 3);
  for (let c = 0; c < changes; c++) {
    const r = Math.floor(next() * routes.length);
    const b = Math.floor(next() * backends.length);
    const backendId = backends[b]?.backendId ?? 'b0';
    switch (Math.floor(next() * 6)) {
      case 0:
        routes[r] = { ...(routes[r] as RouteConfig), timeoutSeconds: 1 + Math.floor(next() * 300) };
        break;
      case 1:
        routes.push(
          aRoute({
            routeId: `a${step}-${c}`,
            name: `a${step}-${c}`,
            pathPattern: `/a${step}-${c}`,
            backendIds: [backendId],
          }),
        );
        break;
      case 2:
        if (routes.length > 1) routes.splice(r, 1);
        break;
      case 3:
        backends[b] = { ...(backends[b] as BackendConfig), weight: Math.floor(next() * 101) };
        break;
      case 4:
        backends.push(
          aBackend({ backendId: `c${step}-${c}`, name: `c${step}-${c}`, url: `http://127.0.0.1:9/c${step}` }),
        );
        break;
      case 5: {
        // Only a backend no route uses can go.
        const unused = backends.findIndex(
          (candidate) => !routes.some((route) => route.backendIds.includes(candidate.backendId)),
        );
        if (unused !== -1) backends.splice(unused, 1);
        break;
      }
    }
  }
  return aSnapshot({ routes, backends }, { version: base.version + 1, previousVersion: base.version });
}

describe('snapshot deltas', () => {
  it('rebuild exactly the next snapshot from its base, over the wire, and validate to what a full snapshot validates to', () => {
    const next = seededRandom(20261127);
    const validator = new SnapshotValidator();
    let base = firstSnapshot(30, 40);
    const first = validator.validate(overTheWire(base));
    if (!first.ok) throw new Error('the first snapshot is valid');
    base = first.value;
    for (let step = 2; step < 150; step++) {
      const target = nextSnapshot(base, next, step);
      const delta = overTheWire(snapshotDeltaBetween(base, target));
      const parsed = parseSnapshotDelta(delta);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      const applied = applySnapshotDelta(base, parsed.value);
      if (!applied.ok) throw new Error(JSON.stringify(applied.issues));
      expect(overTheWire(applied.value)).toEqual(overTheWire(target));
      const validated = validator.validateDelta(base, parsed.value);
      expect(validated).toEqual(validateSnapshot(overTheWire(target)));
      if (!validated.ok) throw new Error('every generated snapshot is valid');
      // What the delta did not touch is the base's object.
      const kept = validated.value.backends.filter((backend) => base.backends.includes(backend));
      expect(kept.length).toBeGreaterThanOrEqual(base.backends.length - 3 - delta.backends.upserted.length);
      base = validated.value;
    }
  });

  it('validates a broken delta exactly as the whole snapshot it describes, and keeps the accepted one as its base', () => {
    const validator = new SnapshotValidator();
    const first = validator.validate(overTheWire(firstSnapshot(6, 6)));
    if (!first.ok) throw new Error('the first snapshot is valid');
    const base = first.value;
    const target = nextSnapshot(base, seededRandom(7), 2);
    const delta = overTheWire(snapshotDeltaBetween(base, target));
    const broken = [
      { ...delta, hash: 'a'.repeat(64) },
      { ...delta, routes: { upserted: [{ ...base.routes[0], backendIds: ['missing'] }], removed: [] } },
      { ...delta, routes: { upserted: [{ ...base.routes[1], timeoutSeconds: 0 }], removed: [] } },
      { ...delta, backends: { upserted: [], removed: ['b0'] } },
      { ...delta, routes: { upserted: [], removed: ['no-such-route'] } },
      { ...delta, base: { version: 99, hash: base.hash } },
    ];
    for (const candidate of broken) {
      const parsed = parseSnapshotDelta(candidate);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      const applied = applySnapshotDelta(base, parsed.value);
      const expected = applied.ok ? validateSnapshot(overTheWire(applied.value)) : applied;
      expect(expected.ok).toBe(false);
      expect(validator.validateDelta(base, parsed.value)).toEqual(expected);
    }
    // None of them was accepted: the valid delta still applies on the same base.
    const parsed = parseSnapshotDelta(delta);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(validator.validateDelta(base, parsed.value)).toEqual(validateSnapshot(overTheWire(target)));
  });

  it('carries only what changed', () => {
    const base = firstSnapshot(5, 5);
    const routes = base.routes.map((route) => (route.routeId === 'r2' ? { ...route, timeoutSeconds: 7 } : route));
    const target = aSnapshot(
      { routes: routes.filter((route) => route.routeId !== 'r4'), backends: base.backends },
      { version: 2 },
    );
    const delta = snapshotDeltaBetween(base, target);
    expect(delta.routes).toEqual({
      upserted: [expect.objectContaining({ routeId: 'r2', timeoutSeconds: 7 })],
      removed: ['r4'],
    });
    expect(delta.backends).toEqual({ upserted: [], removed: [] });
    expect(delta.base).toEqual({ version: base.version, hash: base.hash });
  });

  it('refuses a delta made for another base, naming both versions', () => {
    const base = firstSnapshot(3, 3);
    const target = aSnapshot({ routes: base.routes, backends: base.backends }, { version: 9 });
    const delta = { ...snapshotDeltaBetween(base, target), base: { version: 4, hash: 'abc' } };
    const applied = applySnapshotDelta(base, delta);
    expect(applied).toEqual({
      ok: false,
      issues: [
        {
          path: 'delta.base',
          message: expect.stringContaining('is version 4 (hash abc); this data plane runs version 1'),
        },
      ],
    });
  });

  it('refuses removals of unknown ids and an id both removed and upserted', () => {
    const base = firstSnapshot(3, 3);
    const delta = snapshotDeltaBetween(base, base);
    const unknown = applySnapshotDelta(base, { ...delta, routes: { upserted: [], removed: ['nope'] } });
    expect(unknown).toEqual({
      ok: false,
      issues: [{ path: 'delta.routes.removed[0]', message: '"nope" is not in the base snapshot' }],
    });
    const both = applySnapshotDelta(base, {
      ...delta,
      backends: { upserted: [{ ...base.backends[0] }], removed: ['b0'] },
    });
    expect(both).toEqual({
      ok: false,
      issues: [{ path: 'delta.backends', message: '"b0" is both removed and upserted' }],
    });
  });

  it('refuses a malformed frame with every issue under delta.', () => {
    const parsed = parseSnapshotDelta({
      version: 'two',
      routes: { upserted: [{ routeId: 'x' }, { routeId: 'x' }], removed: [] },
    });
    if (parsed.ok) throw new Error('malformed');
    const paths = parsed.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['delta.version', 'delta.base', 'delta.routes.upserted[1].routeId', 'delta.backends']),
    );
  });
});
