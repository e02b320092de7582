import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SNAPSHOT_SCHEMA_VERSION } from '@hotswap/config-snapshot';
import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  getJson,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';

const DATA_PLANE_BUILD_VERSION = (
  JSON.parse(readFileSync(join(__dirname, '../apps/data-plane/package.json'), 'utf8')) as { version: string }
).version;

describe('a route change made over REST reaches every data plane', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let controlPlane: ControlPlaneProcess;
  let dataPlanes: DataPlaneProcess[];
  let blue: TestBackend;
  let green: TestBackend;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    [blue, green] = await Promise.all([startTestBackend('blue'), startTestBackend('green')]);
    controlPlane = await harness.startControlPlane();
    dataPlanes = await Promise.all(
      ['dp-a', 'dp-b'].map((id) => harness.startDataPlane({ id, grpcTarget: controlPlane.grpcTarget })),
    );
  });

  afterAll(async () => {
    await harness?.stopAll();
    await Promise.all([blue?.close(), green?.close()]);
    await database?.drop();
  });

  async function latestVersion(): Promise<number> {
    const { status, body } = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    expect(status).toBe(200);
    return body.items[0].version as number;
  }

  /** The data plane's JSON log line saying it applied `version`. */
  function appliedLogLine(dataPlane: DataPlaneProcess, version: number): Record<string, unknown> | undefined {
    return dataPlane.process
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(`applied snapshot version=${version} `))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.message === `applied snapshot version=${version} source=stream`);
  }

  async function expectAllDataPlanesOn(version: number): Promise<void> {
    await expectEventually(async () => {
      for (const dataPlane of dataPlanes) expect(await dataPlane.activeVersion()).toBe(version);
    });
  }

  it('serves a route created over REST through every data plane, then follows its update and delete', async () => {
    const created = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'orders',
      pathPattern: '/orders/**',
      backends: [{ name: 'blue', url: blue.url }],
      strategy: 'RoundRobin',
    });
    expect(created.status).toBe(201);
    const routeId = created.body.routeId as string;

    for (const dataPlane of dataPlanes) {
      await expectEventually(async () => {
        const { status, body } = await getJson(`${dataPlane.proxyUrl}/orders/42?x=1`);
        expect(status).toBe(200);
        expect(body).toMatchObject({ backend: 'blue', url: '/42?x=1' });
      });
    }

    const updated = await harness.api(controlPlane, 'PUT', `/routes/${routeId}`, {
      backends: [{ name: 'green', url: green.url }],
    });
    expect(updated.status).toBe(200);
    for (const dataPlane of dataPlanes) {
      await expectEventually(async () =>
        expect((await getJson(`${dataPlane.proxyUrl}/orders/1`)).body.backend).toBe('green'),
      );
    }
    const updatedVersion = await latestVersion();
    await expectAllDataPlanesOn(updatedVersion);
    // Each already ran the version before: the update reached it as a delta, rebuilt and validated there.
    for (const dataPlane of dataPlanes) {
      expect(appliedLogLine(dataPlane, updatedVersion)).toMatchObject({ source: 'stream', delivery: 'delta' });
    }

    expect((await harness.api(controlPlane, 'DELETE', `/routes/${routeId}`)).status).toBe(204);
    for (const dataPlane of dataPlanes) {
      await expectEventually(async () => {
        const { status, body, headers } = await getJson(`${dataPlane.proxyUrl}/orders/1`);
        expect(status).toBe(404);
        expect(body.error.code).toBe('ROUTE_NOT_FOUND');
        expect(headers.get('x-trace-id')).toBeTruthy();
      });
    }
    await expectAllDataPlanesOn(await latestVersion());
  });

  it('refuses an invalid route with 400 naming the field, and publishes no new version', async () => {
    const before = await latestVersion();
    const { status, body } = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'broken',
      pathPattern: 'no-leading-slash',
      timeoutSeconds: 0,
      backends: [{ name: 'blue', url: blue.url }],
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    const fields = (body.error.details as Array<{ field: string }>).map((detail) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['pathPattern', 'timeoutSeconds']));
    expect(await latestVersion()).toBe(before);
    for (const dataPlane of dataPlanes) expect(await dataPlane.activeVersion()).toBe(before);
  });

  it('shows every data plane in the fleet view: who it is (its Hello) and its ACK of the newest version', async () => {
    const version = await latestVersion();
    const snapshot = await harness.api(controlPlane, 'GET', `/config/versions/${version}`);
    await expectEventually(async () => {
      const { status, body } = await harness.api(controlPlane, 'GET', '/data-planes', undefined, 'Viewer');
      expect(status).toBe(200);
      for (const dataPlane of dataPlanes) {
        const item = body.items.find((entry: { dataPlaneId: string }) => entry.dataPlaneId === dataPlane.id);
        expect(item).toMatchObject({
          hostname: hostname(),
          buildVersion: DATA_PLANE_BUILD_VERSION,
          schemaVersion: SNAPSHOT_SCHEMA_VERSION,
          connected: true,
          activeVersion: version,
          activeHash: snapshot.body.hash,
          inSync: true,
          lastNack: null,
        });
        expect(item.lastApplyMs).toBeGreaterThan(0);
        expect(Date.parse(item.lastAckAt)).toBeGreaterThanOrEqual(Date.parse(item.connectedAt));
      }
    });
  });

  it('answers 401 without a token and 403 to a Viewer who writes', async () => {
    const anonymous = await harness.api(controlPlane, 'GET', '/routes', undefined, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    const viewer = await harness.api(
      controlPlane,
      'POST',
      '/routes',
      { name: 'nope', pathPattern: '/nope/*', backends: [{ name: 'blue', url: blue.url }] },
      'Viewer',
    );
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.code).toBe('FORBIDDEN');
    expect((await harness.api(controlPlane, 'GET', '/routes', undefined, 'Viewer')).status).toBe(200);
  });
});
