import { aBackend, aRoute, aSnapshot } from '@hotswap/testing';
import { buildSnapshot } from './snapshot';
import { validateSnapshot, validateSnapshotContent } from './validate';

function content(extra: Record<string, unknown> = {}) {
  const backend = aBackend({ backendId: 'b1', url: 'http://127.0.0.1:8080' });
  const route = aRoute({ routeId: 'r1', name: 'users', pathPattern: '/api/users/{id}', backendIds: ['b1'] });
  return { schemaVersion: 1, settings: {}, routes: [route], backends: [backend], ...extra };
}

describe('validateSnapshotContent', () => {
  it('accepts a complete configuration and fills defaults', () => {
    const result = validateSnapshotContent(content());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.settings.defaultTimeoutSeconds).toBe(30);
  });

  it('returns every issue with its path, not only the first', () => {
    const bad = content();
    bad.routes = [{ ...bad.routes[0]!, timeoutSeconds: 0, priority: 101, pathPattern: 'nope' }];
    const result = validateSnapshotContent(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((issue) => issue.path).sort()).toEqual([
        'routes[0].pathPattern',
        'routes[0].priority',
        'routes[0].timeoutSeconds',
      ]);
    }
  });

  it('names unknown fields one by one', () => {
    const bad = content();
    bad.routes = [{ ...bad.routes[0]!, colour: 'red' } as never];
    const result = validateSnapshotContent(bad);
    expect(!result.ok && result.issues).toEqual([{ path: 'routes[0].colour', message: 'is not a known field' }]);
  });

  it('rejects a route that references a backend that does not exist', () => {
    const bad = content();
    bad.routes = [{ ...bad.routes[0]!, backendIds: ['b1', 'ghost'] }];
    const result = validateSnapshotContent(bad);
    expect(!result.ok && result.issues).toEqual([
      { path: 'routes[0].backendIds[1]', message: 'backend "ghost" does not exist' },
    ]);
  });

  it('rejects duplicate ids and names, and two routes that match the same requests', () => {
    const bad = content();
    const route = bad.routes[0]!;
    bad.routes = [route, { ...route, pathPattern: '/api/users/{userId}' }];
    bad.backends = [bad.backends[0]!, bad.backends[0]!];
    const result = validateSnapshotContent(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((issue) => issue.path)).toEqual([
        'backends[1].backendId',
        'routes[1].routeId',
        'routes[1].name',
        'routes[1].pathPattern',
      ]);
    }
  });

  it('checks HeaderBased settings against the route backends', () => {
    const bad = content();
    bad.routes = [
      {
        ...bad.routes[0]!,
        strategy: 'HeaderBased',
        strategyConfig: { headerName: 'X-Tenant', routingRules: { acme: 'other' }, defaultBackend: 'missing' },
      },
    ];
    const result = validateSnapshotContent(bad);
    expect(!result.ok && result.issues.map((issue) => issue.path)).toEqual([
      'routes[0].strategyConfig.defaultBackend',
      'routes[0].strategyConfig.routingRules.acme',
    ]);
  });

  it('rejects a rewritePath regex that does not compile', () => {
    const bad = content();
    bad.routes = [
      {
        ...bad.routes[0]!,
        transformations: { request: { rewritePath: { pattern: '/api/(.*', replacement: '/$1' } } } as never,
      },
    ];
    const result = validateSnapshotContent(bad);
    expect(!result.ok && result.issues[0]?.path).toBe('routes[0].transformations.request.rewritePath.pattern');
  });

  it('parses durations written as text', () => {
    const withRetry = content();
    withRetry.routes = [
      { ...withRetry.routes[0]!, retryPolicy: { initialDelayMs: '100ms', maxDelayMs: 'PT2S' } as never },
    ];
    const result = validateSnapshotContent(withRetry);
    expect(result.ok && result.value.routes[0]?.retryPolicy).toMatchObject({
      initialDelayMs: 100,
      maxDelayMs: 2000,
      maxAttempts: 3,
    });
  });
});

describe('validateSnapshot', () => {
  it('accepts a built snapshot and refuses one whose hash does not match its content', () => {
    const backend = aBackend({ backendId: 'b1' });
    const snapshot = aSnapshot({ backends: [backend], routes: [aRoute({ backendIds: ['b1'] })] });
    expect(validateSnapshot(snapshot).ok).toBe(true);
    const tampered = { ...snapshot, routes: [{ ...snapshot.routes[0]!, timeoutSeconds: 99 }] };
    const result = validateSnapshot(tampered);
    expect(!result.ok && result.issues[0]?.path).toBe('hash');
  });

  it('gives equal content an equal hash whatever the order of routes and backends', () => {
    const b1 = aBackend({ backendId: 'b1' });
    const b2 = aBackend({ backendId: 'b2' });
    const identity = { version: 1, previousVersion: null, auditId: null, createdAt: 'now' };
    const settings = { defaultTimeoutSeconds: 30 };
    const one = buildSnapshot(identity, { settings, routes: [], backends: [b1, b2] });
    const two = buildSnapshot({ ...identity, version: 7 }, { settings, routes: [], backends: [b2, b1] });
    expect(one.hash).toBe(two.hash);
    expect(Object.isFrozen(one.backends[0])).toBe(true);
  });
});
