import { performance } from 'node:perf_hooks';
import { SnapshotValidator, type ConfigSnapshot, type UntrustedSnapshotDelta } from '@hotswap/config-snapshot';
import type { Logger } from '../observability/logger';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import type { ActiveSnapshot, SnapshotSource } from './compiled-snapshot';
import type { SnapshotCache } from './snapshot-cache';
import { formatIssues, type SnapshotCompiler } from './snapshot-compiler';
import type { SnapshotStore } from './snapshot-store';

export type ApplyOutcome =
  | { status: 'applied'; version: number; hash: string; applyMs: number; active: ActiveSnapshot }
  /** The same version and hash is already active: nothing to do but acknowledge it again. */
  | { status: 'unchanged'; version: number; hash: string; applyMs: number }
  | { status: 'rejected'; version: number; hash: string; reasons: string[] };

export interface PrepareOptions extends ApplyOptions {
  /** `input` is the `value` of a successful `validateSnapshot` (a cluster worker gets what its primary validated). */
  isValidated?: boolean;
}

/** A snapshot validated and compiled, not yet swapped in (SnapshotApplier.prepare). */
export interface PreparedSnapshot {
  status: 'prepared';
  /** The validated snapshot. */
  snapshot: ConfigSnapshot;
  /** Swaps it in (same tick), exactly as `applyNow` would have. */
  commit(): Extract<ApplyOutcome, { status: 'applied' }>;
}

/** The last snapshot this data plane refused, and why. */
export interface Rejection {
  readonly version: number;
  readonly hash: string;
  readonly source: SnapshotSource;
  readonly reasons: readonly string[];
  readonly rejectedAt: Date;
}

export interface ApplyOptions {
  /** `performance.now()` when the snapshot arrived (before decoding): where applyMs starts. */
  startedAt?: number;
  /**
   * `input` is a delta (`parseSnapshotDelta`'s value) on the snapshot active when it applies: validated as the whole
   * snapshot it describes, parsing only what it changes.
   */
  isDelta?: boolean;
  /** Version and hash announced next to the payload (the stream's Snapshot message): the payload must agree. */
  announced?: { version: number; hash: string };
  /**
   * For the stream's snapshots: resolve as soon as the snapshot serves and write the disk cache after, in the
   * background (the stream client acknowledges first: an fsync of a large snapshot must not delay the Ack).
   */
  isCacheWriteDeferred?: boolean;
}

/**
 * Turns untrusted snapshot JSON into the active configuration: validate (every issue), check it is newer, compile
 * fully, swap one reference and make the new backend states live in the same tick (retiring the agents and
 * breakers of backends nobody routes to any more), then (for the stream's snapshots) write it to the disk cache,
 * before or after `apply` resolves (`isCacheWriteDeferred`). Validation parses only what differs from the last
 * accepted snapshot (SnapshotValidator: same result as a full validation). Refusals keep the previous snapshot
 * serving and are reported as `path: message` reasons.
 *
 * Ordering rule: a snapshot applies when nothing is active, when its version is higher than the active one, or
 * when it comes from the stream and the active one does not (the control plane is the authority over a cached or
 * file snapshot), or when the stream sends the active version with another hash (a re-sync after a divergence).
 * The same version and hash is `unchanged`.
 */
export class SnapshotApplier {
  private rejection: Rejection | undefined;
  /** Parses only the routes and backends that differ from the last snapshot it accepted; same result as a full one. */
  private readonly validator = new SnapshotValidator();

  constructor(
    private readonly deps: {
      store: SnapshotStore;
      compiler: SnapshotCompiler;
      cache: SnapshotCache | undefined;
      metrics: GatewayMetrics;
      logger: Logger;
      /**
       * Cluster primary: applies the validated snapshot on every worker before the swap here; resolves with the
       * workers' refusal reasons ([] when every worker applied it).
       */
      fanOut?: (snapshot: ConfigSnapshot, source: SnapshotSource) => Promise<string[]>;
    },
  ) {}

  /** With `fanOut`, applies run one at a time: each compiles against the snapshot the previous one left active. */
  private queue: Promise<unknown> = Promise.resolve();
  private cacheWrites: Promise<void> = Promise.resolve();

  get lastRejection(): Rejection | undefined {
    return this.rejection;
  }

  /**
   * Applies a snapshot; for the stream's, resolves once it is also in the disk cache (unless
   * `isCacheWriteDeferred`: then the write runs after, and `cacheWritten()` resolves once it is done).
   */
  async apply(input: unknown, source: SnapshotSource, options: ApplyOptions = {}): Promise<ApplyOutcome> {
    const fanOut = this.deps.fanOut;
    let outcome: ApplyOutcome;
    if (fanOut === undefined) {
      outcome = this.applyNow(input, source, options);
    } else {
      const next = this.queue.then(() => this.applyAcross(fanOut, input, source, options));
      this.queue = next.catch(() => undefined);
      outcome = await next;
    }
    const cache = this.deps.cache;
    if (outcome.status === 'applied' && source === 'stream' && cache) {
      const snapshot = outcome.active.compiled.snapshot;
      const written = cache.write(snapshot).then(
        () => undefined,
        (error: unknown) =>
          this.deps.logger.warn('could not write the snapshot cache', { version: outcome.version, error }),
      );
      this.cacheWrites = this.cacheWrites.then(() => written);
      if (options.isCacheWriteDeferred !== true) await written;
    }
    return outcome;
  }

  /** Resolves once every disk-cache write started so far has finished (or failed, which is logged). */
  cacheWritten(): Promise<void> {
    return this.cacheWrites;
  }

  /** The synchronous part of `apply`: validation, compilation and swap happen in one tick. */
  applyNow(input: unknown, source: SnapshotSource, options: PrepareOptions = {}): ApplyOutcome {
    const prepared = this.prepare(input, source, options);
    return prepared.status === 'prepared' ? prepared.commit() : prepared;
  }

  /**
   * Everything of `applyNow` but the swap: validation, ordering and compilation. A `prepared` snapshot changes
   * nothing until its `commit()` (called at most once, in a later tick if need be: the compilation took the active
   * snapshot of its time as the base, so nothing else may be applied meanwhile); dropping it changes nothing.
   */
  prepare(
    input: unknown,
    source: SnapshotSource,
    options: PrepareOptions = {},
  ): PreparedSnapshot | Exclude<ApplyOutcome, { status: 'applied' }> {
    const startedAt = options.startedAt ?? performance.now();
    const { store, compiler, metrics, logger } = this.deps;
    let snapshot: ConfigSnapshot;
    if (options.isValidated === true) {
      snapshot = input as ConfigSnapshot;
    } else {
      const base = store.current?.compiled.snapshot;
      if (options.isDelta === true && base === undefined) {
        return this.reject(input, source, options, [
          'delta.base: this data plane runs no snapshot to apply a delta to',
        ]);
      }
      const validated =
        options.isDelta === true && base !== undefined
          ? this.validator.validateDelta(base, input as UntrustedSnapshotDelta)
          : this.validator.validate(input);
      if (!validated.ok) return this.reject(input, source, options, formatIssues(validated.issues));
      snapshot = validated.value;
    }
    const announced = options.announced;
    if (announced && (announced.version !== snapshot.version || announced.hash !== snapshot.hash)) {
      return this.reject(input, source, options, [
        `version: the payload holds version ${snapshot.version} (hash ${snapshot.hash}) but was announced as version ${announced.version} (hash ${announced.hash})`,
      ]);
    }

    const active = store.current;
    if (active) {
      const current = active.compiled.snapshot;
      if (current.version === snapshot.version && current.hash === snapshot.hash) {
        if (source === 'stream' && active.source !== 'stream') store.swap({ ...active, source });
        return { status: 'unchanged', version: snapshot.version, hash: snapshot.hash, applyMs: 0 };
      }
      const overridesActive =
        source === 'stream' && (active.source !== 'stream' || snapshot.version === current.version);
      if (!overridesActive && snapshot.version <= current.version) {
        return this.reject(input, source, options, [
          snapshot.version === current.version
            ? `version: ${snapshot.version} is already active with another hash (${current.hash})`
            : `version: ${snapshot.version} is older than the active version ${current.version}`,
        ]);
      }
    }

    const compiled = compiler.compile(snapshot, active?.compiled);
    if (!compiled.ok) return this.reject(input, source, options, formatIssues(compiled.issues));

    let isCommitted = false;
    const commit = (): Extract<ApplyOutcome, { status: 'applied' }> => {
      if (isCommitted) throw new Error(`snapshot version=${snapshot.version} already committed`);
      isCommitted = true;
      const applyMs = performance.now() - startedAt;
      const next: ActiveSnapshot = { compiled: compiled.compiled, source, appliedAt: new Date(), applyMs };
      store.swap(next);
      compiled.compiled.backendStates.commit();
      metrics.configVersion.set(snapshot.version);
      metrics.configApplyDuration.observe(applyMs / 1000);
      metrics.routesCount.set(snapshot.routes.length);
      metrics.backendsCount.set(snapshot.backends.length);
      logger.info(`applied snapshot version=${snapshot.version} source=${source}`, {
        version: snapshot.version,
        hash: snapshot.hash,
        source,
        delivery: options.isDelta === true ? 'delta' : 'whole',
        routes: snapshot.routes.length,
        backends: snapshot.backends.length,
        applyMs: Math.round(applyMs * 1000) / 1000,
      });
      for (const warning of compiled.compiled.warnings) logger.warn(`snapshot version=${snapshot.version}: ${warning}`);
      return { status: 'applied', version: snapshot.version, hash: snapshot.hash, applyMs, active: next };
    };
    return { status: 'prepared', snapshot, commit };
  }

  /** Prepares here, applies on every worker, then commits here; a refusal anywhere changes nothing here. */
  private async applyAcross(
    fanOut: NonNullable<SnapshotApplier['deps']['fanOut']>,
    input: unknown,
    source: SnapshotSource,
    options: ApplyOptions,
  ): Promise<ApplyOutcome> {
    const prepared = this.prepare(input, source, options);
    if (prepared.status !== 'prepared') return prepared;
    const reasons = await fanOut(prepared.snapshot, source);
    if (reasons.length > 0) return this.reject(prepared.snapshot, source, options, reasons);
    return prepared.commit();
  }

  /** Records and logs a refusal decided before `apply` (an undecodable payload, say). */
  recordRejection(identity: { version: number; hash: string }, source: SnapshotSource, reasons: string[]): void {
    this.rejection = Object.freeze({
      version: identity.version,
      hash: identity.hash,
      source,
      reasons: Object.freeze([...reasons]),
      rejectedAt: new Date(),
    });
    this.deps.metrics.configRejectedTotal.inc();
    this.deps.logger.warn(`rejected snapshot version=${identity.version} source=${source}`, {
      version: identity.version,
      hash: identity.hash,
      source,
      reasons,
    });
  }

  private reject(
    input: unknown,
    source: SnapshotSource,
    options: ApplyOptions,
    reasons: string[],
  ): Extract<ApplyOutcome, { status: 'rejected' }> {
    const identity = options.announced ?? identityOf(input);
    this.recordRejection(identity, source, reasons);
    return { status: 'rejected', version: identity.version, hash: identity.hash, reasons };
  }
}

/** Best-effort version and hash of input that may not even be a snapshot. */
function identityOf(input: unknown): Pick<ConfigSnapshot, 'version' | 'hash'> {
  const record = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  return {
    version: typeof record.version === 'number' ? record.version : 0,
    hash: typeof record.hash === 'string' ? record.hash : '',
  };
}
