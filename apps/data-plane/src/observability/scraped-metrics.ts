import {
  Counter,
  Histogram,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValue,
  type MetricValueWithName,
  type Registry,
} from 'prom-client';

/**
 * Metrics the proxy updates on every request. prom-client hashes a series' labels on every `inc` or `observe`, even
 * through a child from `labels()`; these keep each series as plain numbers the hot path updates in place (the caller
 * holds the series), and give prom-client their values only when it is scraped.
 */

/** One histogram series: observations per bucket (not cumulative, the last one is +Inf), their sum and count. */
export class HistogramSeries {
  readonly bucketCounts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly upperBounds: readonly number[],
  ) {
    this.bucketCounts = new Float64Array(upperBounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.upperBounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index++;
    this.bucketCounts[index] = (this.bucketCounts[index] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** One counter series. */
export class CounterSeries {
  value = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}
}

interface ScrapedConfig<T extends string> {
  name: string;
  help: string;
  labelNames: readonly T[];
  registers: Registry[];
}

/** A histogram of HistogramSeries; registered and aggregated (cluster mode) like any prom-client histogram. */
export class ScrapedHistogram<T extends string> extends Histogram<T> {
  private readonly seriesByKey = new Map<string, HistogramSeries>();
  private readonly upperBounds: readonly number[];

  constructor(private readonly config: ScrapedConfig<T> & { buckets: number[] }) {
    super({ ...config, labelNames: [...config.labelNames] });
    this.upperBounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** The series of these label values, made on first use: keep it, and `observe` on it. */
  series(labels: LabelValues<T>): HistogramSeries {
    const key = seriesKey(this.config.labelNames, labels);
    let series = this.seriesByKey.get(key);
    if (series === undefined) {
      series = new HistogramSeries(labelRecord(this.config.labelNames, labels), this.upperBounds);
      this.seriesByKey.set(key, series);
    }
    return series;
  }

  /**
   * What prom-client's registry formats (its `get()` merges `sharedLabels` into `labels`): values shaped as its own
   * histograms make them.
   */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    const { name, help } = this.config;
    const values: Array<MetricValueWithName<string> & { sharedLabels: Readonly<Record<string, string>> }> = [];
    for (const series of this.seriesByKey.values()) {
      const sharedLabels = series.labels;
      let cumulative = 0;
      for (let index = 0; index <= this.upperBounds.length; index++) {
        cumulative += series.bucketCounts[index] as number;
        const le = index < this.upperBounds.length ? (this.upperBounds[index] as number) : '+Inf';
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: `${name}_bucket` });
      }
      values.push({ labels: {}, sharedLabels, value: series.sum, metricName: `${name}_sum` });
      values.push({ labels: {}, sharedLabels, value: series.count, metricName: `${name}_count` });
    }
    // The fields prom-client's histograms return; its typings declare `type` as an enum it does not export.
    const metric = { name, help, type: 'histogram', values, aggregator: 'sum' };
    return metric as unknown as MetricObjectWithValues<MetricValueWithName<T>>;
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before the fields of this class exist.
    for (const series of this.seriesByKey?.values() ?? []) {
      series.bucketCounts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}

/** A counter of CounterSeries; registered and aggregated (cluster mode) like any prom-client counter. */
export class ScrapedCounter<T extends string> extends Counter<T> {
  private readonly seriesByKey = new Map<string, CounterSeries>();

  constructor(private readonly config: ScrapedConfig<T>) {
    super({ ...config, labelNames: [...config.labelNames] });
  }

  /** The series of these label values, made on first use: keep it, and add to its `value`. */
  series(labels: LabelValues<T>): CounterSeries {
    const key = seriesKey(this.config.labelNames, labels);
    let series = this.seriesByKey.get(key);
    if (series === undefined) {
      series = new CounterSeries(labelRecord(this.config.labelNames, labels));
      this.seriesByKey.set(key, series);
    }
    return series;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    const base = await super.get();
    const values = [...this.seriesByKey.values()].map((series) => ({ labels: series.labels, value: series.value }));
    return { ...base, values: values as MetricValue<T>[] };
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before the fields of this class exist.
    for (const series of this.seriesByKey?.values() ?? []) series.value = 0;
  }
}

function seriesKey<T extends string>(labelNames: readonly T[], labels: LabelValues<T>): string {
  return labelNames.map((labelName) => String(labels[labelName] ?? '')).join('\u0000');
}

function labelRecord<T extends string>(labelNames: readonly T[], labels: LabelValues<T>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const labelName of labelNames) {
    const value = labels[labelName];
    if (value !== undefined) record[labelName] = String(value);
  }
  return record;
}
