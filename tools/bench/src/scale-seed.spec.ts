import { validateSnapshotContent } from '@hotswap/config-snapshot';
import { backendsPerRoute, scaleRoutes } from './scale-seed';

describe('scaleRoutes', () => {
  it('makes valid routes, each on its own share of the backends', () => {
    const routes = scaleRoutes(50, 501);
    expect(backendsPerRoute(50, 501)).toBe(10);
    const backends = [
      { backendId: 'bench-backend', name: 'bench-backend', url: 'http://127.0.0.1:1' },
      ...Array.from({ length: 500 }, (_, i) => ({
        backendId: `scale-${i}`,
        name: `scale-${i}`,
        url: 'http://127.0.0.1:9',
      })),
    ];
    const result = validateSnapshotContent({ schemaVersion: 1, settings: {}, routes, backends });
    expect(result.ok && result.value.routes.length).toBe(50);
    const used = new Set(routes.slice(1).flatMap((route) => route.backendIds));
    expect(used.size).toBe(490);
  });
});
