import type { IncomingHttpHeaders } from 'node:http';

/** Which version of a route served a request: the live one, the new one, or the new one through the preview header. */
export type RouteVariant = 'stable' | 'canary' | 'preview';

/** A route version a split chooses between (a CompiledRoute in practice). */
export interface SplitVariant {
  readonly variant: RouteVariant;
}

export interface TrafficSplitterOptions {
  /** Lowercase header name; `always` pins the canary, `never` the stable version. */
  readonly pinHeader: string;
  /** Lowercase header name whose value `true` selects the preview (BlueGreen only), or undefined. */
  readonly previewHeader: string | undefined;
  /** Share of the other requests the canary gets, 0-100. */
  readonly canaryPercentage: number;
}

/**
 * Chooses the version of a route per request, for a route with an in-flight deployment. The share is dealt by a
 * credit counter rather than at random: over any run of n requests the canary gets the target share to within one
 * request, so phases are judged on the traffic they were meant to get. Built once per snapshot; per request it
 * reads two headers and does one addition.
 */
export class TrafficSplitter<T extends SplitVariant> {
  private credit = 0;

  constructor(
    readonly stable: T,
    readonly canary: T,
    readonly preview: T,
    private readonly options: TrafficSplitterOptions,
  ) {}

  pick(headers: IncomingHttpHeaders): T {
    const pin = headers[this.options.pinHeader];
    if (pin !== undefined) {
      if (pin === 'always') return this.canary;
      if (pin === 'never') return this.stable;
    }
    const preview = this.options.previewHeader;
    if (preview !== undefined && headers[preview] === 'true') return this.preview;
    const percentage = this.options.canaryPercentage;
    if (percentage <= 0) return this.stable;
    if (percentage >= 100) return this.canary;
    this.credit += percentage;
    if (this.credit < 100) return this.stable;
    this.credit -= 100;
    return this.canary;
  }
}
