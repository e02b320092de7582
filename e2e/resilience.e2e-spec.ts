import { expectEventually, findFreePort, startTestBackend, type TestBackend } from '@hotswap/testing';
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
    await limited.process.waitForOutput(new RegExp(`rejected snapshot version=${refused} source=stream`));
    expect(limited.process.output()).toContain(`applied snapshot version=${accepted} source=stream`);

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
    const cachedVersion = await createRoute(controlPlane, 'cached');
    await expectServed(dataPlane, '/cached/a');
    await expectServed(other, '/cached/a');
    const beforeRestart = await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', '/data-planes/dp-other');
      expect(body).toMatchObject({ connected: true, activeVersion: cachedVersion, inSync: true });
      return body;
    });

    await controlPlane.stop('SIGKILL');
    await expectServed(dataPlane, '/cached/b');
    await expectServed(other, '/cached/b');
    await expectEventually(async () =>
      expect((await getJson(`${other.statusUrl}/config`)).body.controlPlane).toEqual({
        url: controlPlane.grpcTarget,
        connected: false,
      }),
    );

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
    // dp-other resumes: its Hello names the version it runs, so it is not sent that snapshot again (no new ACK).
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', '/data-planes/dp-other');
      expect(Date.parse(body.connectedAt)).toBeGreaterThan(Date.parse(beforeRestart.connectedAt));
      expect(body).toMatchObject({
        connected: true,
        activeVersion: cachedVersion,
        inSync: true,
        lastAckAt: beforeRestart.lastAckAt,
      });
    });
    expect((await getJson(`${other.statusUrl}/config`)).body.controlPlane.connected).toBe(true);
    expect(other.process.output().match(/disconnected from control plane/g)).toHaveLength(1);
    const newest = await createRoute(controlPlane, 'after-return');
    for (const dp of [restarted, other]) {
      await expectServed(dp, '/after-return/x');
      await expectEventually(async () => expect(await dp.activeVersion()).toBe(newest));
    }
  });

  it('replaces its cached snapshot with what the stream sends when the control plane returns on a rebuilt database with lower versions', async () => {
    const controlPlane = await harness.startControlPlane();
    await createRoute(controlPlane, 'before-rebuild');
    const cachedVersion = await createRoute(controlPlane, 'also-before-rebuild');
    const dataPlane = await harness.startDataPlane({ id: 'dp-rebuilt', grpcTarget: controlPlane.grpcTarget });
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(cachedVersion));
    await dataPlane.stop();
    await controlPlane.stop();

    const rebuiltDatabase = await createEmptyDatabase();
    const rebuilt = new GatewayHarness(rebuiltDatabase.url, harness.dataPlaneToken);
    try {
      const ports = { http: await findFreePort(), grpc: await findFreePort() };
      const restarted = await harness.startDataPlane({
        id: 'dp-rebuilt',
        grpcTarget: `127.0.0.1:${ports.grpc}`,
        cacheDir: dataPlane.cacheDir,
      });
      expect((await getJson(`${restarted.statusUrl}/config`)).body).toMatchObject({
        version: cachedVersion,
        source: 'cache',
      });
      await expectServed(restarted, '/before-rebuild/x');

      const rebuiltControlPlane = await rebuilt.startControlPlane(ports);
      const created = await rebuilt.api(rebuiltControlPlane, 'POST', '/routes', {
        name: 'after-rebuild',
        pathPattern: '/after-rebuild/**',
        backends: [{ name: 'steady', url: backend.url }],
      });
      expect(created.status).toBe(201);
      const versions = await rebuilt.api(rebuiltControlPlane, 'GET', '/config/versions?limit=1');
      const version = versions.body.items[0].version as number;
      expect(version).toBeLessThan(cachedVersion);
      await expectServed(restarted, '/after-rebuild/x');
      expect((await getJson(`${restarted.statusUrl}/config`)).body).toMatchObject({ version, source: 'stream' });
      expect((await getJson(`${restarted.proxyUrl}/before-rebuild/x`)).status).toBe(404);
    } finally {
      await rebuilt.stopAll();
      await rebuiltDatabase.drop();
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
