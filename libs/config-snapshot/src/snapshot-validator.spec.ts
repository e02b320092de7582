import { createHash } from 'node:crypto';
import { aBackend, aRoute, aSnapshot, seededRandom } from '@hotswap/testing';
import { canonicalJson, hashSnapshotContent } from './hash';
import type { ConfigSnapshot } from './schema';
import { SnapshotValidator } from './snapshot-validator';
import { validateSnapshot, validateSnapshotContent } from './validate';

type Wire = Record<string, unknown> & {
  routes: Array<Record<string, unknown>>;
  backends: Array<Record<string, unknown>>;
};

/** What the stream delivers: the snapshot as decoded JSON. */
function wire(snapshot: ConfigSnapshot): Wire {
  return JSON.parse(JSON.stringify(snapshot)) as Wire;
}

/** `content` as `version`, its hash restamped from the content as the control plane would (valid or not). */
function rehashed(content: Wire, version: number): Wire {
  const placeholder = 'f'.repeat(64);
  const result = validateSnapshot({ ...content, hash: placeholder });
  const issue = result.ok ? undefined : result.issues.find((candidate) => candidate.path === 'hash');
  const hash = issue?.message.match(/expected ([0-9a-f]{64})/)?.[1] ?? placeholder;
  return { ...content, version, hash };
}

function initial(routeCount: number, backendCount: number): Wire {
  const backends = Array.from({ length: backendCount }, (_, n) =>
    aBackend({ backendId: `b${n}`, name: `b${n}`, url: `http://127.0.0.1:9/b${n}` }),
  );
  const routes = Array.from({ length: routeCount }, (_, n) =>
    aRoute({
      routeId: `r${n}`,
      name: `r${n}`,
      pathPattern: `/r${n}/**`,
      backendIds: [`b${n % backendCount}`, `b${(n + 1) % backendCount}`],
    }),
  );
  return wire(aSnapshot({ routes, backends }, { version: 1 }));
}

/** One change of the kinds a control plane makes, and some it never should. */
function mutate(content: Wire, next: () => number, step: number): Wire {
  const routes = [...content.routes];
  const backends = [...content.backends];
  const pick = <T>(items: T[]): number => Math.floor(next() * items.length);
  const kind = Math.floor(next() * 11);
  const r = pick(routes);
  const b = pick(backends);
  switch (kind) {
    case 0:
      routes[r] = { ...routes[r], timeoutSeconds: 1 + Math.floor(next() * 300) };
      break;
    case 1:
      routes.push({ ...routes[r], routeId: `new-${step}`, name: `new-${step}`, pathPattern: `/new-${step}/**` });
      break;
    case 2:
      routes.splice(r, 1);
      break;
    case 3:
      backends[b] = { ...backends[b], weight: Math.floor(next() * 101), url: `http://127.0.0.1:9/moved-${step}` };
      break;
    case 4:
      // A route may now point at a backend that no longer exists: refused over the whole snapshot.
      backends.splice(b, 1);
      break;
    case 5:
      routes[r] = { ...routes[r], timeoutSeconds: 0, pathPattern: 'no-slash' };
      break;
    case 6:
      routes[r] = { ...routes[r], name: routes[(r + 1) % routes.length]!.name };
      break;
    case 7:
      // Durations as text and omitted defaults: valid, and parsed to something else than what was sent.
      backends[b] = {
        backendId: backends[b]!.backendId,
        name: backends[b]!.name,
        url: backends[b]!.url,
        healthCheck: { intervalMs: '5s' },
      };
      break;
    case 8:
      routes[r] = { ...routes[r], unknownField: true };
      break;
    case 9:
      return { ...content, routes, backends, hash: 'a'.repeat(64), version: step };
    case 10:
      routes[r] = { ...routes[r], backendIds: [`missing-${step}`] };
      break;
  }
  return rehashed({ ...content, routes, backends }, step);
}

describe('SnapshotValidator', () => {
  it('gives exactly what validateSnapshot and validateSnapshotContent give (value, hash, issues) over a generated sequence of changes', () => {
    const next = seededRandom(20261127);
    const validator = new SnapshotValidator();
    const contentValidator = new SnapshotValidator();
    let accepted = initial(40, 60);
    let outcomes = { accepted: 0, rejected: 0 };
    for (let step = 2; step < 300; step++) {
      const candidate = mutate(accepted, next, step);
      const incremental = validator.validate(JSON.parse(JSON.stringify(candidate)));
      const full = validateSnapshot(JSON.parse(JSON.stringify(candidate)));
      expect(incremental).toEqual(full);
      const {
        version: _version,
        hash: _hash,
        previousVersion: _previous,
        auditId: _audit,
        createdAt: _at,
        ...content
      } = candidate;
      const contentResult = contentValidator.validateContent(JSON.parse(JSON.stringify(content)));
      expect(contentResult).toEqual(validateSnapshotContent(JSON.parse(JSON.stringify(content))));
      if (contentResult.ok)
        expect(contentValidator.hashOf(contentResult.value)).toBe(hashSnapshotContent(contentResult.value));
      if (full.ok) {
        outcomes = { ...outcomes, accepted: outcomes.accepted + 1 };
        accepted = candidate;
      } else {
        outcomes = { ...outcomes, rejected: outcomes.rejected + 1 };
      }
    }
    // Both branches were exercised many times.
    expect(outcomes.accepted).toBeGreaterThan(40);
    expect(outcomes.rejected).toBeGreaterThan(40);
  });

  it('reuses the validated, frozen route of the previous snapshot when it did not change', () => {
    const validator = new SnapshotValidator();
    const first = initial(3, 3);
    const before = validator.validate(first);
    const changed = rehashed(
      { ...first, routes: first.routes.map((route, index) => (index === 0 ? { ...route, timeoutSeconds: 9 } : route)) },
      2,
    );
    const after = validator.validate(JSON.parse(JSON.stringify(changed)));
    if (!before.ok || !after.ok) throw new Error('both snapshots are valid');
    expect(after.value.routes[1]).toBe(before.value.routes[1]);
    expect(after.value.backends[2]).toBe(before.value.backends[2]);
    expect(after.value.routes[0]).not.toBe(before.value.routes[0]);
    expect(after.value.routes[0]!.timeoutSeconds).toBe(9);
    expect(Object.isFrozen(after.value.routes[0])).toBe(true);
  });

  it('refuses a changed route that points at a missing backend, with the path of the full validation', () => {
    const validator = new SnapshotValidator();
    const first = initial(3, 3);
    expect(validator.validate(first).ok).toBe(true);
    const broken = rehashed(
      {
        ...first,
        routes: first.routes.map((route, index) => (index === 2 ? { ...route, backendIds: ['gone'] } : route)),
      },
      2,
    );
    expect(validator.validate(broken)).toEqual({
      ok: false,
      issues: [{ path: 'routes[2].backendIds[0]', message: 'backend "gone" does not exist' }],
    });
  });
});

describe('hashSnapshotContent', () => {
  it('is the sha256 of the canonical JSON of schema version, settings, routes (null trafficSplit left out) and backends', () => {
    const snapshot = wire(
      aSnapshot({
        routes: [aRoute({ routeId: 'r', name: 'r', backendIds: ['b'] })],
        backends: [aBackend({ backendId: 'b' })],
      }),
    );
    const routes = snapshot.routes.map(({ trafficSplit: _none, ...rest }) => rest);
    const expected = createHash('sha256')
      .update(
        canonicalJson({
          schemaVersion: snapshot.schemaVersion,
          settings: snapshot.settings,
          routes,
          backends: snapshot.backends,
        }),
      )
      .digest('hex');
    expect(snapshot.hash).toBe(expected);
  });
});
