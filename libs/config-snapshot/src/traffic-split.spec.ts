import { aBackend, aRoute, aSnapshot } from '@hotswap/testing';
import { hashSnapshotContent } from './hash';
import { routeConfigSchema } from './schema';
import { validateSnapshotContent } from './validate';

function content(trafficSplit: unknown) {
  const backends = [
    aBackend({ backendId: 'stable-1', url: 'http://127.0.0.1:8081' }),
    aBackend({ backendId: 'canary-1', url: 'http://127.0.0.1:8082' }),
  ];
  const route = { ...aRoute({ routeId: 'r1', name: 'orders', backendIds: ['stable-1'] }), trafficSplit };
  return { schemaVersion: 1, settings: {}, routes: [route], backends };
}

describe('a route trafficSplit', () => {
  it('is null by default and fills the defaults of a split', () => {
    expect(aRoute({ backendIds: ['b'] }).trafficSplit).toBeNull();
    const result = validateSnapshotContent(
      content({ deploymentId: 'dep-1', strategy: 'Canary', canary: { backendIds: ['canary-1'] } }),
    );
    expect(result.ok && result.value.routes[0]?.trafficSplit).toMatchObject({
      canaryPercentage: 0,
      pinHeader: 'X-Canary',
      previewHeader: 'X-Preview',
      rolloutDataPlaneIds: [],
      canary: { backendIds: ['canary-1'], strategy: 'RoundRobin', timeoutSeconds: 30, version: '1.0' },
    });
  });

  it('refuses matching fields in the new version: a deployment may not change how the route matches', () => {
    const result = validateSnapshotContent(
      content({ deploymentId: 'dep-1', strategy: 'Canary', canary: { backendIds: ['canary-1'], pathPattern: '/x' } }),
    );
    expect(!result.ok && result.issues).toEqual([
      { path: 'routes[0].trafficSplit.canary.pathPattern', message: 'is not a known field' },
    ]);
  });

  it('names every bad field of a split: percentage, unknown backend, HeaderBased rules, headers', () => {
    const result = validateSnapshotContent(
      content({
        deploymentId: 'dep-1',
        strategy: 'Canary',
        canaryPercentage: 101,
        canary: { backendIds: ['ghost'] },
      }),
    );
    expect(!result.ok && result.issues).toEqual([
      { path: 'routes[0].trafficSplit.canaryPercentage', message: expect.stringContaining('100') as string },
    ]);
    const crossChecked = validateSnapshotContent(
      content({
        deploymentId: 'dep-1',
        strategy: 'Canary',
        pinHeader: 'X-Same',
        previewHeader: 'x-same',
        rolloutDataPlaneIds: ['dp-1'],
        canary: { backendIds: ['ghost', 'canary-1'], strategy: 'HeaderBased', strategyConfig: { headerName: 'X-V' } },
      }),
    );
    expect(!crossChecked.ok && crossChecked.issues.map((issue) => issue.path)).toEqual([
      'routes[0].trafficSplit.canary.backendIds[0]',
      'routes[0].trafficSplit.canary.strategyConfig.defaultBackend',
      'routes[0].trafficSplit.previewHeader',
      'routes[0].trafficSplit.rolloutDataPlaneIds',
    ]);
  });

  it('refuses a data plane listed twice in a Rolling split', () => {
    const result = validateSnapshotContent(
      content({
        deploymentId: 'dep-1',
        strategy: 'Rolling',
        rolloutDataPlaneIds: ['dp-1', 'dp-1'],
        canary: { backendIds: ['canary-1'] },
      }),
    );
    expect(!result.ok && result.issues).toEqual([
      { path: 'routes[0].trafficSplit.rolloutDataPlaneIds', message: 'lists a data plane twice' },
    ]);
  });

  it('keeps the hash of a snapshot whose routes have no split as it was before the field existed', () => {
    const snapshot = aSnapshot({ routes: [aRoute({ backendIds: ['b1'] })], backends: [aBackend({ backendId: 'b1' })] });
    const withoutField = {
      ...snapshot,
      routes: snapshot.routes.map(({ trafficSplit: _none, ...route }) => route),
    };
    const reparsed = { ...snapshot, routes: withoutField.routes.map((route) => routeConfigSchema.parse(route)) };
    expect(hashSnapshotContent(reparsed)).toBe(snapshot.hash);
    const withSplit = {
      ...snapshot,
      routes: snapshot.routes.map((route) =>
        routeConfigSchema.parse({
          ...route,
          trafficSplit: { deploymentId: 'd', strategy: 'Canary', canary: { backendIds: ['b1'] } },
        }),
      ),
    };
    expect(hashSnapshotContent(withSplit)).not.toBe(snapshot.hash);
  });
});
