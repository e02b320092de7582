import {
  backendConfigSchema,
  buildSnapshot,
  globalSettingsSchema,
  routeConfigSchema,
  type BackendConfig,
  type ConfigSnapshot,
  type RouteConfig,
} from '@hotswap/config-snapshot';

let sequence = 0;
const next = () => ++sequence;

/** A complete backend config with defaults; override any field. */
export function aBackend(overrides: Partial<BackendConfig> & { url?: string } = {}): BackendConfig {
  const n = next();
  return backendConfigSchema.parse({
    backendId: `backend-${n}`,
    name: `backend-${n}`,
    url: 'http://127.0.0.1:9',
    ...overrides,
  });
}

/** A complete route config with defaults; override any field. */
export function aRoute(overrides: Partial<RouteConfig> & { backendIds: string[] }): RouteConfig {
  const n = next();
  return routeConfigSchema.parse({ routeId: `route-${n}`, name: `route-${n}`, pathPattern: `/r${n}/**`, ...overrides });
}

/** A hashed, frozen snapshot of the given routes and backends. */
export function aSnapshot(
  content: { routes?: RouteConfig[]; backends?: BackendConfig[] },
  identity: { version?: number; previousVersion?: number | null } = {},
): ConfigSnapshot {
  const version = identity.version ?? 1;
  return buildSnapshot(
    {
      version,
      previousVersion: identity.previousVersion ?? version - 1,
      auditId: null,
      createdAt: new Date(0).toISOString(),
    },
    { settings: globalSettingsSchema.parse({}), routes: content.routes ?? [], backends: content.backends ?? [] },
  );
}
