import { isDeepStrictEqual } from 'node:util';
import { diffSnapshots, type ConfigSnapshot } from '@hotswap/config-snapshot';
import { snapshotOf, type GatewayConfig } from './gateway-config';
import type { ControlPlaneProcess, GatewayHarness } from './gateway-harness';

const EMPTY: GatewayConfig = { routes: [], backends: [] };

/**
 * Brings a control plane from one config to another the way an operator would: POST, PUT and DELETE on its REST
 * API, with the config's own `backendId`s and `routeId`s. Resolves the control plane's newest snapshot, once checked
 * to hold exactly the config's routes and backends (its hash covers content only, so it equals the hash of the same
 * config in a file).
 */
export class RestConfigWriter {
  private current: GatewayConfig = EMPTY;

  constructor(
    private readonly harness: GatewayHarness,
    private readonly controlPlane: ControlPlaneProcess,
  ) {}

  async write(next: GatewayConfig): Promise<ConfigSnapshot> {
    const before = byId(this.current);
    const after = byId(next);
    for (const [id, backend] of after.backends) {
      const { backendId: _id, healthStatus: _health, ...fields } = backend;
      const old = before.backends.get(id);
      if (!old) await this.call('POST', '/backends', { backendId: id, ...fields }, 201);
      else if (!isDeepStrictEqual(old, backend)) await this.call('PUT', `/backends/${id}`, fields, 200);
    }
    // Removed routes go before new ones, which may take their path or name.
    for (const id of before.routes.keys()) {
      if (!after.routes.has(id)) await this.call('DELETE', `/routes/${id}`, undefined, 204);
    }
    for (const [id, route] of after.routes) {
      const { routeId: _id, ...fields } = route;
      const old = before.routes.get(id);
      if (!old) await this.call('POST', '/routes', { routeId: id, ...fields }, 201);
      else if (!isDeepStrictEqual(old, route)) await this.call('PUT', `/routes/${id}`, fields, 200);
    }
    for (const id of before.backends.keys()) {
      if (!after.backends.has(id)) await this.call('DELETE', `/backends/${id}`, undefined, 204);
    }
    this.current = next;
    return this.newestSnapshotHolding(next);
  }

  private async newestSnapshotHolding(config: GatewayConfig): Promise<ConfigSnapshot> {
    const versions = await this.call('GET', '/config/versions?limit=1', undefined, 200);
    const version = versions.items[0].version as number;
    const snapshot = (await this.call('GET', `/config/versions/${version}`, undefined, 200)) as ConfigSnapshot;
    const expected = snapshotOf(config, version);
    if (snapshot.hash !== expected.hash) {
      throw new Error(
        `the control plane's snapshot ${version} differs from the config written to it: ${JSON.stringify(diffSnapshots(expected, snapshot))}`,
      );
    }
    return snapshot;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
  private async call(method: string, path: string, body: unknown, expectedStatus: number): Promise<any> {
    const response = await this.harness.api(this.controlPlane, method, path, body);
    if (response.status !== expectedStatus) {
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }
}

function byId(config: GatewayConfig) {
  return {
    routes: new Map(config.routes.map((route) => [route.routeId, route])),
    backends: new Map(config.backends.map((backend) => [backend.backendId, backend])),
  };
}
