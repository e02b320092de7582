import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  getJson,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';

describe('data planes under control-plane trouble', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let backend: TestBackend;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    backend = await startTestBackend('steady');
  });

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    await database?.drop();
  });

  async function createRoute(controlPlane: ControlPlaneProcess, name: string): Promise<number> {
    const { status, body } = await harness.api(controlPlane, 'POST', '/routes', {
      name,
      pathPattern: `/${name}/**`,
      backends: [{ name: 'steady', url: backend.url }],
    });
    expect(status).toBe(201);
    const versions = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    expect(body.routeId).toBeTruthy();
    return versions.body.items[0].version as number;
  }

  async function expectServed(dataPlane: DataPlaneProcess, path: string): Promise<void> {
    await expectEventually(async () => {
      const { status, body } = await getJson(`${dataPlane.proxyUrl}${path}`);
      expect(status).toBe(200);
      expect(body.backend).toBe('steady');
    });
  }

  it('NACKs a snapshot it cannot apply, keeps serving the previous one, and the fleet view shows why', async () => {
    const controlPlane = await harness.startControlPlane();
    const limited = await harness.startDataPlane({
      id: 'dp-limited',
      grpcTarget: controlPlane.grpcTarget,
      env: { GATEWAY_MAX_ROUTES: '1' },
    });
    const accepted = await createRoute(controlPlane, 'first');
    await expectServed(limited, '/first/x');
    expect(await limited.activeVersion()).toBe(accepted);

    const refused = await createRoute(controlPlane, 'second');
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', '/data-planes/dp-limited');
      expect(body.lastNack.version).toBe(refused);
      expect(body.lastNack.reasons.join(' ')).toContain('GATEWAY_MAX_ROUTES');
      expect(body).toMatchObject({ activeVersion: accepted, inSync: false });
    });
    expect(await limited.activeVersion()).toBe(accepted);
    await expectServed(limited, '/first/x');
    expect((await getJson(`${limited.proxyUrl}/second/x`)).status).toBe(404);

    await limited.stop();
    await controlPlane.stop();
  });

  it('keeps serving with the control plane down, restarts from its cache, and catches up when it returns', async () => {
    let controlPlane = await harness.startControlPlane();
    const ports = {
      http: Number(new URL(controlPlane.httpUrl).port),
      grpc: Number(controlPlane.grpcTarget.split(':')[1]),
    };
    const dataPlane = await harness.startDataPlane({ id: 'dp-survivor', grpcTarget: controlPlane.grpcTarget });
    const other = await harness.startDataPlane({ id: 'dp-other', grpcTarget: controlPlane.grpcTarget });
    await createRoute(controlPlane, 'cached');
    await expectServed(dataPlane, '/cached/a');
    await expectServed(other, '/cached/a');

    await controlPlane.stop('SIGKILL');
    await expectServed(dataPlane, '/cached/b');
    await expectServed(other, '/cached/b');

    await dataPlane.stop('SIGKILL');
    const restarted = await harness.startDataPlane({
      id: 'dp-survivor',
      grpcTarget: controlPlane.grpcTarget,
      cacheDir: dataPlane.cacheDir,
    });
    await expectServed(restarted, '/cached/c');
    const config = await getJson(`${restarted.statusUrl}/config`);
    expect(config.body.source).toBe('cache');

    controlPlane = await harness.startControlPlane(ports);
    const newest = await createRoute(controlPlane, 'after-return');
    for (const dp of [restarted, other]) {
      await expectServed(dp, '/after-return/x');
      await expectEventually(async () => expect(await dp.activeVersion()).toBe(newest));
    }
  });

  it('pushes a change committed on one control-plane replica to data planes connected to another', async () => {
    const writer = await harness.startControlPlane();
    const reader = await harness.startControlPlane();
    const dataPlane = await harness.startDataPlane({ id: 'dp-on-reader', grpcTarget: reader.grpcTarget });
    const version = await createRoute(writer, 'cross-replica');
    await expectServed(dataPlane, '/cross-replica/x');
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(version));
  });
});
