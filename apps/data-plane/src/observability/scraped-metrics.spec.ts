import { Counter, Histogram, Registry } from 'prom-client';
import { ScrapedCounter, ScrapedHistogram } from './scraped-metrics';

const BUCKETS = [0.005, 0.01, 0.1, 1];
const VALUES = [0.001, 0.005, 0.0051, 0.01, 0.5, 1, 7];

function registries(): [Registry, Registry] {
  const [ours, theirs] = [new Registry(), new Registry()];
  for (const registry of [ours, theirs]) registry.setDefaultLabels({ data_plane: 'dp-1' });
  return [ours, theirs];
}

describe('scraped metrics', () => {
  it('expose a histogram exactly as a prom-client histogram fed the same observations', async () => {
    const [ours, theirs] = registries();
    const config = { name: 'h_seconds', help: 'h', labelNames: ['route'] as const, buckets: BUCKETS };
    const scraped = new ScrapedHistogram({ ...config, registers: [ours] });
    const reference = new Histogram({ ...config, labelNames: ['route'], registers: [theirs] });
    for (const route of ['a', 'b']) {
      const series = scraped.series({ route });
      for (const value of VALUES) {
        series.observe(value);
        reference.observe({ route }, value);
      }
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // As cluster mode aggregates them (prom-client adds an empty exemplar to each of its own values).
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map((metric) => ({
        ...metric,
        values: metric.values.map((value) => ({ ...value, exemplar: undefined })),
      }));
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(withoutExemplars(await theirs.getMetricsAsJSON()));
  });

  it('expose a counter exactly as a prom-client counter with the same increments', async () => {
    const [ours, theirs] = registries();
    const config = { name: 'c_total', help: 'c', labelNames: ['route', 'status_class'] as const };
    const scraped = new ScrapedCounter({ ...config, registers: [ours] });
    const reference = new Counter({ ...config, labelNames: ['route', 'status_class'], registers: [theirs] });
    const series = scraped.series({ route: 'a', status_class: '2xx' });
    for (let n = 0; n < 3; n++) {
      series.value++;
      reference.inc({ route: 'a', status_class: '2xx' });
    }
    scraped.series({ route: 'b', status_class: '5xx' }).value += 2;
    reference.inc({ route: 'b', status_class: '5xx' }, 2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('keep the series their holders use across a reset, at zero', async () => {
    const registry = new Registry();
    const histogram = new ScrapedHistogram({
      name: 'r_seconds',
      help: 'r',
      labelNames: [],
      buckets: BUCKETS,
      registers: [registry],
    });
    const series = histogram.series({});
    series.observe(0.5);
    registry.resetMetrics();
    series.observe(0.5);
    expect(await registry.metrics()).toContain('r_seconds_count 1\n');
  });
});
