import {
  parsePathPattern,
  SNAPSHOT_SCHEMA_VERSION,
  type BackendConfig,
  type ConfigSnapshot,
  type ValidationIssue,
} from '@hotswap/config-snapshot';
import { BackendAgentPool, type BackendAgent } from '../proxy/backend-agents';
import { createBalancer, IMPLEMENTED_STRATEGIES } from '../proxy/balancer';
import { createPathRewriter, type PathRewriter } from '../proxy/path-rewrite';
import { RouterBuilder } from '../proxy/router';
import type { CompiledRoute, CompiledSnapshot, HeaderTransform, ProxyTarget } from './compiled-snapshot';

export type CompileResult = { ok: true; compiled: CompiledSnapshot } | { ok: false; issues: ValidationIssue[] };

export interface CompilerLimits {
  /** GATEWAY_MAX_ROUTES: a snapshot with more routes is refused. */
  readonly maxRoutes: number;
}

const UNAVAILABLE_HEALTH = new Set(['Unhealthy', 'Draining']);

interface BackendForwarding {
  readonly name: string;
  /** http-proxy-3 reads only protocol, host and port of it: the path is the gateway's to build. */
  readonly target: URL;
  readonly basePath: string;
  readonly agentKey: string;
  readonly agent: BackendAgent;
}

/**
 * Compiles a validated snapshot into what the hot path reads: the router, and per route its available backends,
 * balancer, path rewriter, timeout and header transforms. Refuses (with every reason) what this data plane cannot
 * apply beyond schema validation: a newer schema, more routes than GATEWAY_MAX_ROUTES, a rewrite pattern this
 * JavaScript engine does not compile. Runs once per snapshot, off the hot path.
 */
export class SnapshotCompiler {
  constructor(
    private readonly agents: BackendAgentPool,
    private readonly limits: CompilerLimits,
  ) {}

  compile(snapshot: ConfigSnapshot, previous?: CompiledSnapshot): CompileResult {
    const issues = this.checkLimits(snapshot);
    if (issues.length > 0) return { ok: false, issues };

    const parsedPatterns = snapshot.routes.map((route, index) => {
      const parsed = parsePathPattern(route.pathPattern);
      if (!parsed.ok) issues.push({ path: `routes[${index}].pathPattern`, message: parsed.reason });
      return parsed.ok ? parsed.value : undefined;
    });
    const rewriters = snapshot.routes.map((route, index): PathRewriter | undefined => {
      const parsed = parsedPatterns[index];
      if (!parsed) return undefined;
      try {
        return createPathRewriter(parsed, {
          stripPrefix: route.stripPrefix,
          rewritePath: route.transformations?.request.rewritePath ?? null,
        });
      } catch (error) {
        issues.push({
          path: `routes[${index}].transformations.request.rewritePath.pattern`,
          message: `does not compile here: ${(error as Error).message}`,
        });
        return undefined;
      }
    });
    if (issues.length > 0) return { ok: false, issues };

    const backendsById = new Map(snapshot.backends.map((backend) => [backend.backendId, backend]));
    // Filled on first reference: backends no enabled route uses cost nothing.
    const forwarding = new Map<string, BackendForwarding | null>();
    const agentKeys = new Set<string>();
    const forwardingOf = (backendId: string): BackendForwarding | null => {
      let found = forwarding.get(backendId);
      if (found === undefined) {
        const backend = backendsById.get(backendId);
        found = null;
        if (backend && isAvailable(backend)) found = this.forwardingFor(backend);
        // An unavailable backend keeps the connections it has: a health flap must not reopen them all.
        else if (backend) agentKeys.add(BackendAgentPool.keyOf(backend));
        forwarding.set(backendId, found);
      }
      return found;
    };

    const builder = new RouterBuilder<CompiledRoute>();
    const routes = new Map<string, CompiledRoute>();
    const unimplemented = new Map<string, number>();
    const note = (what: string) => unimplemented.set(what, (unimplemented.get(what) ?? 0) + 1);

    snapshot.routes.forEach((route, index) => {
      if (!route.isEnabled) return;
      const parsed = parsedPatterns[index];
      const pathRewriter = rewriters[index];
      if (!parsed || !pathRewriter) return;
      const timeoutMs = route.timeoutSeconds * 1000;
      const targets: ProxyTarget[] = [];
      for (const backendId of route.backendIds) {
        const backend = forwardingOf(backendId);
        if (!backend) continue;
        agentKeys.add(backend.agentKey);
        targets.push({
          backendId,
          backendName: backend.name,
          basePath: backend.basePath,
          options: {
            target: backend.target,
            agent: backend.agent,
            changeOrigin: true,
            // The gateway builds the whole path itself (base path + rewritten path + query): no URL parsing.
            prependPath: false,
            toProxy: true,
            xfwd: false,
            backendTimeoutMs: timeoutMs,
          },
        });
      }
      if (!IMPLEMENTED_STRATEGIES.has(route.strategy)) note(`strategy ${route.strategy} (served as RoundRobin)`);
      if (route.rateLimit) note('rateLimit (not enforced)');
      if (route.circuitBreaker?.enabled) note('circuitBreaker (not enforced)');
      if (route.retryPolicy) note('retryPolicy (requests are not retried)');
      const compiled: CompiledRoute = Object.freeze({
        routeId: route.routeId,
        name: route.name,
        priority: route.priority,
        metricLabel: route.name,
        timeoutMs,
        pathRewriter,
        targets,
        balancer: createBalancer(route.strategy, targets, previous?.routes.get(route.routeId)?.balancer),
        requestHeaders: headerTransform(route.transformations?.request),
        responseHeaders: headerTransform(route.transformations?.response),
      });
      routes.set(route.routeId, compiled);
      builder.add(
        {
          routeId: route.routeId,
          host: route.host,
          segments: parsed.segments,
          methods: route.methods,
          priority: route.priority,
        },
        compiled,
      );
    });

    const warnings = [...unimplemented].map(([what, count]) => `${count} route(s) configure ${what}`);
    return {
      ok: true,
      compiled: Object.freeze({ snapshot, router: builder.build(), routes, agentKeys, warnings }),
    };
  }

  private forwardingFor(backend: BackendConfig): BackendForwarding {
    const url = new URL(backend.url);
    const agentKey = BackendAgentPool.keyOf(backend, url.origin);
    return {
      name: backend.name,
      target: url,
      basePath: url.pathname.endsWith('/') ? url.pathname.replace(/\/+$/, '') : url.pathname,
      agentKey,
      agent: this.agents.acquire(agentKey, backend),
    };
  }

  private checkLimits(snapshot: ConfigSnapshot): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (snapshot.schemaVersion > SNAPSHOT_SCHEMA_VERSION) {
      issues.push({
        path: 'schemaVersion',
        message: `schema ${snapshot.schemaVersion} is newer than this data plane understands (${SNAPSHOT_SCHEMA_VERSION})`,
      });
    }
    if (snapshot.routes.length > this.limits.maxRoutes) {
      issues.push({
        path: 'routes',
        message: `${snapshot.routes.length} routes exceed this data plane's limit of ${this.limits.maxRoutes} (GATEWAY_MAX_ROUTES)`,
      });
    }
    return issues;
  }
}

function isAvailable(backend: BackendConfig): boolean {
  return backend.isEnabled && !UNAVAILABLE_HEALTH.has(backend.healthStatus);
}

function headerTransform(
  config: { addHeaders: Record<string, string>; removeHeaders: string[] } | undefined,
): HeaderTransform | undefined {
  if (!config) return undefined;
  const set = Object.entries(config.addHeaders).map(([name, value]) => [name.toLowerCase(), value] as const);
  const remove = config.removeHeaders.map((name) => name.toLowerCase());
  if (set.length === 0 && remove.length === 0) return undefined;
  return Object.freeze({
    set: Object.freeze(set),
    remove: Object.freeze(remove),
    usesRequestId: set.some(([, value]) => value.includes('${requestId}')),
  });
}

/** Formats issues as the `path: message` reasons of a NACK. */
export function formatIssues(issues: readonly ValidationIssue[]): string[] {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
}
