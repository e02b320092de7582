import { metricNamesIn, metricUsesIn, metricUsesInGrafanaQuery } from './promql-metrics';

describe('metricUsesIn', () => {
  it('finds the metric of a histogram quantile, not its functions, label lists, ranges or Grafana variables', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, route) (rate(gateway_request_duration_seconds_bucket{job="hotswap-data-plane", data_plane=~"$data_plane"}[$__rate_interval])))';
    expect(metricUsesIn(expr)).toEqual([
      { name: 'gateway_request_duration_seconds_bucket', job: { value: 'hotswap-data-plane', isRegex: false } },
    ]);
  });

  it('reads both sides of a vector match and skips on(), group_right(), or and vector()', () => {
    const expr =
      'count((max(gateway_config_version{job="hotswap-control-plane"}) - on() group_right() gateway_config_version{job=~"hotswap-d.*"}) > 0) or vector(0)';
    expect(metricUsesIn(expr)).toEqual([
      { name: 'gateway_config_version', job: { value: 'hotswap-control-plane', isRegex: false } },
      { name: 'gateway_config_version', job: { value: 'hotswap-d.*', isRegex: true } },
    ]);
  });

  it('ignores numbers with exponents and durations after offset, and strings holding identifiers', () => {
    expect(
      metricNamesIn(
        'sum without (instance) (rate(a_total[5m] offset 1h30m)) * 1e3 + label_replace(b, "dst", "$1", "src", "(.*)")',
      ),
    ).toEqual(['a_total', 'b']);
  });

  it('takes aggregation clauses written after the expression as label lists', () => {
    expect(metricNamesIn('sum(rate(http_requests_total[1m])) by (status) / ignoring(status) group_left up')).toEqual([
      'http_requests_total',
      'up',
    ]);
  });

  it('finds a metric named only by __name__ and metrics in a multi-line rule with comments', () => {
    expect(
      metricNamesIn('{__name__="process_cpu_seconds_total", job="x"}\n# not_a_metric here\n and on(job) up'),
    ).toEqual(['process_cpu_seconds_total', 'up']);
  });
});

describe('metricUsesInGrafanaQuery', () => {
  it('reads the selector of label_values and not the label it lists', () => {
    expect(
      metricUsesInGrafanaQuery('label_values(gateway_config_version{job="hotswap-data-plane"}, data_plane)'),
    ).toEqual([{ name: 'gateway_config_version', job: { value: 'hotswap-data-plane', isRegex: false } }]);
  });

  it('reads a plain PromQL variable query as PromQL', () => {
    expect(metricUsesInGrafanaQuery('query_result(topk(5, gateway_routes_count))').map((use) => use.name)).toEqual([
      'gateway_routes_count',
    ]);
  });
});
