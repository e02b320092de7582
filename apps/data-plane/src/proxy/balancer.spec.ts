import type { BackendConfig } from '@hotswap/config-snapshot';
import { aBackend } from '@hotswap/testing';
import { BackendStateRegistry } from './backend-states';
import { createBalancer, type BalancerOptions, type BalancerTarget, type PickRequest } from './balancer';
import { DEFAULT_BREAKER_POLICY } from './circuit-breaker';

const request: PickRequest = { headers: {}, socket: { remoteAddress: '10.0.0.1' } };

describe('balancers', () => {
  let registry: BackendStateRegistry;

  beforeEach(() => {
    registry = new BackendStateRegistry();
  });

  afterEach(() => registry.destroy());

  /** Live targets for the given backends (ids `a`, `b`, …, unless given). */
  function targetsOf(...backends: Array<Partial<BackendConfig>>): BalancerTarget[] {
    const swap = registry.beginSwap();
    const targets = backends.map((overrides, index) => {
      const backend = aBackend({ backendId: String.fromCharCode(97 + index), ...overrides });
      return { backendId: backend.backendId, weight: backend.weight, state: swap.use(backend, DEFAULT_BREAKER_POLICY) };
    });
    swap.commit();
    return targets;
  }

  function picks(
    strategy: Parameters<typeof createBalancer>[0],
    targets: BalancerTarget[],
    count: number,
    options: Partial<BalancerOptions> = {},
    req: PickRequest = request,
  ): string[] {
    const balancer = createBalancer(strategy, targets, { usesBreaker: true, ...options });
    return Array.from({ length: count }, () => balancer.pick(req, undefined)?.backendId ?? '-');
  }

  function tally(ids: string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
    return counts;
  }

  describe('RoundRobin', () => {
    it('gives 9 requests over 3 backends 3 each, in turn', () => {
      const ids = picks('RoundRobin', targetsOf({}, {}, {}), 9);
      expect(ids.slice(0, 3)).toEqual(['a', 'b', 'c']);
      expect(tally(ids)).toEqual({ a: 3, b: 3, c: 3 });
    });

    it('skips an unhealthy backend', () => {
      expect(tally(picks('RoundRobin', targetsOf({}, { healthStatus: 'Unhealthy' }, {}), 10))).toEqual({ a: 5, c: 5 });
    });

    it('skips disabled and draining backends, and one whose breaker an Admin forced open', () => {
      const targets = targetsOf({ isEnabled: false }, { healthStatus: 'Draining' }, {}, {});
      registry.forceBreaker('d', 'open');
      expect(tally(picks('RoundRobin', targets, 4))).toEqual({ c: 4 });
    });

    it('has nothing to pick when no backend is available', () => {
      expect(picks('RoundRobin', targetsOf({ healthStatus: 'Unhealthy' }), 1)).toEqual(['-']);
      expect(picks('RoundRobin', [], 1)).toEqual(['-']);
    });

    it('prefers backends not tried yet by the same request', () => {
      const targets = targetsOf({}, {}, {});
      const balancer = createBalancer('RoundRobin', targets, { usesBreaker: true });
      expect(balancer.pick(request, [targets[0]!.state, targets[1]!.state])?.backendId).toBe('c');
    });

    it('continues from the previous balancer of the same route after a swap', () => {
      const targets = targetsOf({}, {}, {}, {});
      const before = createBalancer('RoundRobin', targets.slice(0, 3), { usesBreaker: true });
      before.pick(request, undefined);
      const after = createBalancer('RoundRobin', targets, { usesBreaker: true }, before);
      expect(after.pick(request, undefined)?.backendId).toBe('b');
    });
  });

  describe('WeightedRoundRobin', () => {
    it('splits 1,000 requests 90/10 exactly, interleaving the light backend', () => {
      const ids = picks('WeightedRoundRobin', targetsOf({ weight: 90 }, { weight: 10 }), 1000);
      expect(tally(ids)).toEqual({ a: 900, b: 100 });
      expect(tally(ids.slice(0, 10))).toEqual({ a: 9, b: 1 });
    });

    it('gives a weight-0 backend nothing', () => {
      expect(tally(picks('WeightedRoundRobin', targetsOf({ weight: 0 }, { weight: 30 }, { weight: 60 }), 90))).toEqual({
        b: 30,
        c: 60,
      });
    });

    it('shares out among the available backends when one is unhealthy', () => {
      const targets = targetsOf({ weight: 50 }, { weight: 30, healthStatus: 'Unhealthy' }, { weight: 20 });
      expect(tally(picks('WeightedRoundRobin', targets, 70))).toEqual({ a: 50, c: 20 });
    });
  });

  describe('LeastConnections', () => {
    it('picks the backend with the fewest requests in flight', () => {
      const targets = targetsOf({}, {}, {});
      targets[0]!.state.inFlight = 3;
      targets[1]!.state.inFlight = 1;
      targets[2]!.state.inFlight = 2;
      expect(picks('LeastConnections', targets, 3)).toEqual(['b', 'b', 'b']);
    });

    it('shares ties evenly instead of always taking the first', () => {
      expect(tally(picks('LeastConnections', targetsOf({}, {}, {}), 9))).toEqual({ a: 3, b: 3, c: 3 });
    });

    it('skips an unavailable backend even when it has no requests', () => {
      const targets = targetsOf({ healthStatus: 'Unhealthy' }, {});
      targets[1]!.state.inFlight = 5;
      expect(picks('LeastConnections', targets, 2)).toEqual(['b', 'b']);
    });
  });

  describe('HeaderBased', () => {
    const header = { name: 'x-tenant', rules: new Map([['gold', 1]]), defaultIndex: 0 };
    const withTenant = (value: string | undefined): PickRequest => ({
      headers: value === undefined ? {} : { 'x-tenant': value },
      socket: {},
    });

    it('routes by the header value, and unknown or missing values to the default', () => {
      const targets = targetsOf({}, {});
      expect(picks('HeaderBased', targets, 2, { header }, withTenant('gold'))).toEqual(['b', 'b']);
      expect(picks('HeaderBased', targets, 1, { header }, withTenant('silver'))).toEqual(['a']);
      expect(picks('HeaderBased', targets, 1, { header }, withTenant(undefined))).toEqual(['a']);
    });

    it('falls back to the default, then to any available backend, when the chosen one is unavailable', () => {
      expect(
        picks('HeaderBased', targetsOf({}, { healthStatus: 'Unhealthy' }), 1, { header }, withTenant('gold')),
      ).toEqual(['a']);
      expect(
        picks('HeaderBased', targetsOf({ healthStatus: 'Unhealthy' }, {}, {}), 1, { header }, withTenant('none')),
      ).toEqual(['b']);
    });
  });

  describe('Direct', () => {
    it('sends everything to the first available backend', () => {
      expect(picks('Direct', targetsOf({}, {}), 3)).toEqual(['a', 'a', 'a']);
      expect(picks('Direct', targetsOf({ healthStatus: 'Unhealthy' }, {}, {}), 2)).toEqual(['b', 'b']);
    });
  });

  describe('IPHash', () => {
    const fromAddress = (remoteAddress: string): PickRequest => ({ headers: {}, socket: { remoteAddress } });

    it('sends a client to the same backend every time, whatever the order of the route backends', () => {
      const forward = createBalancer('IPHash', targetsOf({}, {}, {}), { usesBreaker: true });
      const reversed = createBalancer('IPHash', targetsOf({}, {}, {}).reverse(), { usesBreaker: true });
      for (let client = 0; client < 50; client++) {
        const req = fromAddress(`192.168.0.${client}`);
        const first = forward.pick(req, undefined)?.backendId;
        expect(forward.pick(req, undefined)?.backendId).toBe(first);
        expect(reversed.pick(req, undefined)?.backendId).toBe(first);
      }
    });

    it('reads an IPv4-mapped IPv6 address as the IPv4 address', () => {
      const balancer = createBalancer('IPHash', targetsOf({}, {}, {}, {}), { usesBreaker: true });
      for (let client = 0; client < 20; client++) {
        expect(balancer.pick(fromAddress(`::ffff:10.1.0.${client}`), undefined)).toBe(
          balancer.pick(fromAddress(`10.1.0.${client}`), undefined),
        );
      }
    });

    it('moves only the clients of an unavailable backend, and brings them back', () => {
      const targets = targetsOf({}, {}, {});
      const balancer = createBalancer('IPHash', targets, { usesBreaker: true });
      const clients = Array.from({ length: 300 }, (_, index) => fromAddress(`172.16.${index >> 8}.${index & 255}`));
      const before = clients.map((req) => balancer.pick(req, undefined)?.backendId);
      registry.setHealth('b', 'Unhealthy');
      const during = clients.map((req) => balancer.pick(req, undefined)?.backendId);
      registry.setHealth('b', 'Healthy');
      const after = clients.map((req) => balancer.pick(req, undefined)?.backendId);
      expect(during).not.toContain('b');
      before.forEach((id, index) => {
        if (id !== 'b') expect(during[index]).toBe(id);
      });
      expect(after).toEqual(before);
    });
  });
});
