import { matchPathPattern, parsePathPattern, validateSnapshot } from '@hotswap/config-snapshot';
import { BENCH_RATE_LIMIT, MEASURED_PATH, MEASURED_ROUTE_ID, benchSnapshot } from './route-table';

describe('benchSnapshot', () => {
  it('holds only the measured route when one route is asked for', () => {
    const snapshot = benchSnapshot('http://127.0.0.1:4000', 1);
    expect(snapshot.routes.map((route) => route.routeId)).toEqual([MEASURED_ROUTE_ID]);
    expect(snapshot.backends.map((backend) => backend.url)).toEqual(['http://127.0.0.1:4000']);
    expect(validateSnapshot(JSON.parse(JSON.stringify(snapshot)))).toMatchObject({ ok: true });
  });

  it('builds 10,000 valid routes under distinct literal prefixes, of which only the measured one matches', () => {
    const snapshot = benchSnapshot('http://127.0.0.1:4000', 10_000);
    expect(snapshot.routes).toHaveLength(10_000);
    expect(validateSnapshot(JSON.parse(JSON.stringify(snapshot)))).toMatchObject({ ok: true });
    const parsed = snapshot.routes.map((route) => {
      const result = parsePathPattern(route.pathPattern);
      if (!result.ok) throw new Error(result.reason);
      return { route, pattern: result.value };
    });
    expect(new Set(parsed.map(({ pattern }) => pattern.literalPrefix)).size).toBe(10_000);
    expect(parsed.filter(({ pattern }) => pattern.segments.some((s) => s.kind === 'param')).length).toBeGreaterThan(
      1000,
    );
    expect(parsed.filter(({ pattern }) => pattern.segments.some((s) => s.kind === 'wildcard')).length).toBeGreaterThan(
      1000,
    );
    const matching = parsed.filter(({ pattern }) => matchPathPattern(pattern, MEASURED_PATH) !== undefined);
    expect(matching.map(({ route }) => route.routeId)).toEqual([MEASURED_ROUTE_ID]);
  });

  it('forwards the measured path unchanged, as the bare proxy does', () => {
    const measured = benchSnapshot('http://127.0.0.1:4000', 1).routes[0];
    expect(measured).toMatchObject({ pathPattern: '/bench/**', stripPrefix: false, backendIds: ['bench-backend'] });
    expect(measured?.rateLimit).toBeNull();
  });

  it('puts a local rate limit on the measured route when asked, higher than any run sends', () => {
    const snapshot = benchSnapshot('http://127.0.0.1:4000', 1, { rateLimit: BENCH_RATE_LIMIT });
    expect(snapshot.routes[0]?.rateLimit).toMatchObject({ policy: 'local', limit: 10_000_000, window: 'hour' });
    expect(validateSnapshot(JSON.parse(JSON.stringify(snapshot)))).toMatchObject({ ok: true });
  });
});
