import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { aBackend, aRoute, aSnapshot } from '@hotswap/testing';
import { BackendAgentPool } from '../proxy/backend-agents';
import type { CompiledSnapshot } from './compiled-snapshot';
import { formatIssues, SnapshotCompiler } from './snapshot-compiler';

describe('SnapshotCompiler', () => {
  let agents: BackendAgentPool;
  let compiler: SnapshotCompiler;

  beforeEach(() => {
    agents = new BackendAgentPool();
    compiler = new SnapshotCompiler(agents, { maxRoutes: 3 });
  });

  afterEach(() => agents.destroy());

  function compile(snapshot: ConfigSnapshot, previous?: CompiledSnapshot): CompiledSnapshot {
    const result = compiler.compile(snapshot, previous);
    if (!result.ok) throw new Error(formatIssues(result.issues).join('\n'));
    return result.compiled;
  }

  it('compiles routes into a router with their available backends', () => {
    const up = aBackend({ backendId: 'up', url: 'http://127.0.0.1:9001/base/' });
    const down = aBackend({ backendId: 'down', healthStatus: 'Unhealthy' });
    const draining = aBackend({ backendId: 'draining', healthStatus: 'Draining' });
    const disabled = aBackend({ backendId: 'disabled', isEnabled: false });
    const degraded = aBackend({ backendId: 'degraded', healthStatus: 'Degraded' });
    const route = aRoute({
      routeId: 'orders',
      pathPattern: '/orders/**',
      backendIds: ['up', 'down', 'draining', 'disabled', 'degraded'],
      timeoutSeconds: 7,
    });
    const compiled = compile(aSnapshot({ routes: [route], backends: [up, down, draining, disabled, degraded] }));
    const match = compiled.router.match(undefined, 'GET', '/orders/1');
    expect(match?.routeId).toBe('orders');
    expect(match?.targets.map((target) => target.backendId)).toEqual(['up', 'degraded']);
    expect(match?.targets[0]?.basePath).toBe('/base');
    expect(match?.targets[0]?.options.backendTimeoutMs).toBe(7000);
    expect(match?.pathRewriter.rewrite('/orders/1')).toBe('/1');
  });

  it('does not serve disabled routes', () => {
    const backend = aBackend();
    const route = aRoute({ pathPattern: '/off/**', backendIds: [backend.backendId], isEnabled: false });
    const compiled = compile(aSnapshot({ routes: [route], backends: [backend] }));
    expect(compiled.router.match(undefined, 'GET', '/off/x')).toBeUndefined();
    expect(compiled.router.size).toBe(0);
  });

  it(`refuses more routes than GATEWAY_MAX_ROUTES allows, naming the limit`, () => {
    const backend = aBackend();
    const routes = Array.from({ length: 4 }, () => aRoute({ backendIds: [backend.backendId] }));
    const result = compiler.compile(aSnapshot({ routes, backends: [backend] }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(formatIssues(result.issues)).toEqual([
        "routes: 4 routes exceed this data plane's limit of 3 (GATEWAY_MAX_ROUTES)",
      ]);
    }
  });

  it('refuses a schema version newer than it understands', () => {
    const snapshot = { ...aSnapshot({}), schemaVersion: 2 } as unknown as ConfigSnapshot;
    const result = compiler.compile(snapshot);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssues(result.issues)[0]).toMatch(/^schemaVersion: schema 2 is newer/);
  });

  it('refuses a rewrite pattern the JavaScript engine cannot compile, with every such route named', () => {
    const backend = aBackend();
    const broken = (index: number) => ({
      ...aRoute({ backendIds: [backend.backendId] }),
      transformations: {
        request: { addHeaders: {}, removeHeaders: [], rewritePath: { pattern: `(${index}`, replacement: '/' } },
        response: { addHeaders: {}, removeHeaders: [] },
      },
    });
    const result = compiler.compile(aSnapshot({ routes: [broken(1), broken(2)], backends: [backend] }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const reasons = formatIssues(result.issues);
      expect(reasons).toHaveLength(2);
      expect(reasons[0]).toMatch(
        /^routes\[\d\]\.transformations\.request\.rewritePath\.pattern: does not compile here/,
      );
    }
  });

  it('reuses the keep-alive agent of a backend whose id and URL did not change (health flaps included), and retires the others', () => {
    const kept = aBackend({ backendId: 'kept', url: 'http://127.0.0.1:9001' });
    const moved = aBackend({ backendId: 'moved', url: 'http://127.0.0.1:9002' });
    const route = aRoute({ routeId: 'r', pathPattern: '/r/**', backendIds: ['kept', 'moved'] });
    const first = compile(aSnapshot({ routes: [route], backends: [kept, moved] }));
    const second = compile(
      aSnapshot(
        {
          routes: [route],
          backends: [
            { ...kept, healthStatus: 'Healthy' },
            { ...moved, url: 'http://127.0.0.1:9003' },
          ],
        },
        { version: 2 },
      ),
      first,
    );
    const agentsOf = (compiled: CompiledSnapshot) =>
      compiled.routes.get('r')!.targets.map((target) => target.options.agent as unknown);
    const [keptBefore, movedBefore] = agentsOf(first);
    const [keptAfter, movedAfter] = agentsOf(second);
    expect(keptAfter).toBe(keptBefore);
    expect(movedAfter).not.toBe(movedBefore);
    expect(agents.retainOnly(second.agentKeys)).toBe(1);
    expect(agents.size).toBe(2);

    const unhealthy = compile(
      aSnapshot(
        {
          routes: [route],
          backends: [
            { ...kept, healthStatus: 'Unhealthy' },
            { ...moved, url: 'http://127.0.0.1:9003' },
          ],
        },
        { version: 3 },
      ),
      second,
    );
    expect(agents.retainOnly(unhealthy.agentKeys)).toBe(0);
    const recovered = compile(aSnapshot({ routes: [route], backends: [kept, moved] }, { version: 4 }), unhealthy);
    expect(agentsOf(recovered)[0]).toBe(keptBefore);
  });

  it('carries each route round-robin position over to the next snapshot', () => {
    const backends = [aBackend({ backendId: 'one' }), aBackend({ backendId: 'two' })];
    const route = aRoute({ routeId: 'rr', pathPattern: '/rr/**', backendIds: ['one', 'two'] });
    const first = compile(aSnapshot({ routes: [route], backends }));
    const request = {} as never;
    expect(first.routes.get('rr')!.balancer.pick(request)?.backendId).toBe('one');
    const second = compile(aSnapshot({ routes: [route], backends }, { version: 2 }), first);
    expect(second.routes.get('rr')!.balancer.pick(request)?.backendId).toBe('two');
  });

  it('notes configured features this data plane does not enforce yet', () => {
    const backend = aBackend();
    const route = aRoute({
      backendIds: [backend.backendId],
      strategy: 'LeastConnections',
      rateLimit: {
        algorithm: 'FixedWindow',
        limit: 10,
        window: 'second',
        keyBy: 'ClientIP',
        keyHeader: 'X-API-Key',
        policy: 'local',
        failOpen: true,
      },
    });
    const compiled = compile(aSnapshot({ routes: [route], backends: [backend] }));
    expect(compiled.warnings).toEqual([
      '1 route(s) configure strategy LeastConnections (served as RoundRobin)',
      '1 route(s) configure rateLimit (not enforced)',
    ]);
  });

  it('precomputes header transforms with lowercase names', () => {
    const backend = aBackend();
    const route = aRoute({
      backendIds: [backend.backendId],
      transformations: {
        request: { addHeaders: { 'X-Request-Id': '${requestId}' }, removeHeaders: ['X-Secret'], rewritePath: null },
        response: { addHeaders: {}, removeHeaders: [] },
      },
    });
    const compiled = compile(aSnapshot({ routes: [route], backends: [backend] }));
    const routeCompiled = compiled.routes.get(route.routeId)!;
    expect(routeCompiled.requestHeaders).toEqual({
      set: [['x-request-id', '${requestId}']],
      remove: ['x-secret'],
      usesRequestId: true,
    });
    expect(routeCompiled.responseHeaders).toBeUndefined();
  });
});
