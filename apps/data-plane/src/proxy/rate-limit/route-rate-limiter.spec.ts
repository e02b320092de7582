import type { RateLimit, RouteConfig } from '@hotswap/config-snapshot';
import { rateLimitSchema } from '@hotswap/config-snapshot';
import { aRoute } from '@hotswap/testing';
import { RateLimiterCompiler, type RouteRateLimiter, type Tally } from './route-rate-limiter';

/** Metric series as counts by route label. */
class Tallies {
  readonly counts = new Map<string, number>();
  rejections = (route: string): Tally => this.series(`rejections/${route}`);
  storeErrors = (route: string): Tally => this.series(`storeErrors/${route}`);
  private series(name: string): Tally {
    return { inc: () => this.counts.set(name, (this.counts.get(name) ?? 0) + 1) };
  }
}

const limited = (routeId: string, fields: Partial<RateLimit> & { limit: number }, extra: Partial<RouteConfig> = {}) =>
  aRoute({ routeId, name: routeId, backendIds: ['b'], rateLimit: rateLimitSchema.parse(fields), ...extra });

/** What compiled limiters of a previous snapshot look like to the compiler. */
const asPrevious = (limiters: Map<string, RouteRateLimiter>) =>
  new Map([...limiters].map(([routeId, rateLimiter]) => [routeId, { rateLimiter }]));

describe('RateLimiterCompiler', () => {
  const clock = 0;
  const compiler = new RateLimiterCompiler({
    store: undefined,
    localMaxKeys: 1000,
    tallies: new Tallies(),
    now: () => clock,
  });

  it('compiles a limiter for each enabled route with a rateLimit, with its X-RateLimit-Limit value', () => {
    const limiters = compiler.compile(
      [
        limited('fixed', { limit: 100 }),
        limited('bucket', { algorithm: 'TokenBucket', limit: 10, burst: 25 }),
        limited('off', { limit: 1 }, { isEnabled: false }),
        aRoute({ routeId: 'free', backendIds: ['b'] }),
      ],
      undefined,
      [],
    );
    expect([...limiters.keys()]).toEqual(['fixed', 'bucket']);
    expect(limiters.get('fixed')?.limitHeader).toBe('100');
    expect(limiters.get('bucket')?.limitHeader).toBe('25');
  });

  it('keeps an unchanged limiter and the counts of one whose limit changed, and starts afresh on a new window', () => {
    const first = compiler.compile([limited('r', { limit: 2, window: 'minute' })], undefined, []);
    const limiter = first.get('r')!;
    expect([limiter.take('client', 0), limiter.take('client', 0)]).toEqual([1, 0]);

    const same = compiler.compile([limited('r', { limit: 2, window: 'minute' })], asPrevious(first), []);
    expect(same.get('r')).toBe(limiter);

    const raised = compiler.compile([limited('r', { limit: 3, window: 'minute' })], asPrevious(first), []);
    expect(raised.get('r')).not.toBe(limiter);
    expect([raised.get('r')!.take('client', 1), raised.get('r')!.take('client', 1)]).toEqual([0, -59_999]);

    const hourly = compiler.compile([limited('r', { limit: 3, window: 'hour' })], asPrevious(raised), []);
    expect(hourly.get('r')!.take('client', 2)).toBe(2);
  });

  it('counts a redis-policy route locally when this data plane has no REDIS_URL, and says so', () => {
    const warnings: string[] = [];
    const limiters = compiler.compile(
      [limited('shared', { limit: 1, policy: 'redis', failOpen: false })],
      undefined,
      warnings,
    );
    const limiter = limiters.get('shared')!;
    expect([limiter.take('client', 0), limiter.take('client', 0)]).toEqual([0, -60_000]);
    expect(warnings).toEqual([
      '1 route(s) with rateLimit.policy "redis" are counted per data plane: REDIS_URL is not set',
    ]);
  });

  it('binds the metric series of the route name', () => {
    const tallies = new Tallies();
    const limiter = new RateLimiterCompiler({ store: undefined, localMaxKeys: 10, tallies })
      .compile([limited('named', { limit: 1 })], undefined, [])
      .get('named')!;
    limiter.rejections.inc();
    limiter.storeErrors.inc();
    expect(Object.fromEntries(tallies.counts)).toEqual({ 'rejections/named': 1, 'storeErrors/named': 1 });
  });
});
