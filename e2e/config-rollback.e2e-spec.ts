import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  getJson,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';

describe('a config rollback reaches every data plane', () => {
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

  it('serves the rolled-back content, with the target version hash, on every data plane', async () => {
    const created = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'orders',
      pathPattern: '/orders/**',
      backends: [{ name: 'blue', url: blue.url }],
    });
    expect(created.status).toBe(201);
    const versions = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    const target = versions.body.items[0] as { version: number; hash: string };

    const updated = await harness.api(controlPlane, 'PUT', `/routes/${created.body.routeId}`, {
      backends: [{ name: 'green', url: green.url }],
    });
    expect(updated.status).toBe(200);
    for (const dataPlane of dataPlanes) {
      await expectEventually(async () =>
        expect((await getJson(`${dataPlane.proxyUrl}/orders/1`)).body.backend).toBe('green'),
      );
    }

    const rollback = await harness.api(controlPlane, 'POST', '/config/rollback', {
      version: target.version,
      reason: 'green is broken',
      environment: 'staging',
    });
    expect(rollback.status).toBe(201);
    expect(rollback.body).toMatchObject({ status: 'Applied', appliedHash: target.hash });
    const applied = rollback.body.appliedVersion as number;
    expect(applied).toBeGreaterThan(target.version);

    for (const dataPlane of dataPlanes) {
      await expectEventually(async () => {
        expect(await dataPlane.activeVersion()).toBe(applied);
        expect((await getJson(`${dataPlane.proxyUrl}/orders/1`)).body.backend).toBe('blue');
      });
    }
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', '/data-planes', undefined, 'Viewer');
      for (const dataPlane of dataPlanes) {
        const item = body.items.find((entry: { dataPlaneId: string }) => entry.dataPlaneId === dataPlane.id);
        expect(item).toMatchObject({ activeVersion: applied, activeHash: target.hash, inSync: true });
      }
    });
  });
});
