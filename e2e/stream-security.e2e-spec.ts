import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestCertificates,
  expectEventually,
  expectGatewayError,
  send,
  startTestBackend,
  type TestBackend,
  type TestCertificates,
} from '@hotswap/testing';
import { createEmptyDatabase, GatewayHarness, getJson, type ControlPlaneProcess } from './support/gateway-harness';

const WRONG_TOKEN = 'not-the-data-plane-token-0123456789abcdef';

describe('data-plane streams: authentication and hash divergence', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let controlPlane: ControlPlaneProcess;
  let backend: TestBackend;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    backend = await startTestBackend('orders');
    controlPlane = await harness.startControlPlane();
    const created = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'orders',
      pathPattern: '/orders/**',
      backends: [{ name: 'orders', url: backend.url }],
      strategy: 'RoundRobin',
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    await database?.drop();
  });

  async function newestSnapshot(): Promise<{ version: number; hash: string }> {
    const { status, body } = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    expect(status).toBe(200);
    return { version: body.items[0].version as number, hash: body.items[0].hash as string };
  }

  // Asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function fleetItem(dataPlaneId: string): Promise<any> {
    const { status, body } = await harness.api(controlPlane, 'GET', '/data-planes');
    expect(status).toBe(200);
    return body.items.find((item: { dataPlaneId: string }) => item.dataPlaneId === dataPlaneId);
  }

  it('serves a data plane presenting the token; one with a wrong token gets no config and is not in the fleet view', async () => {
    const trusted = await harness.startDataPlane({ id: 'dp-trusted', grpcTarget: controlPlane.grpcTarget });
    expect((await getJson(`${trusted.proxyUrl}/orders/1`)).status).toBe(200);

    const impostor = await harness.startDataPlane({
      id: 'dp-impostor',
      grpcTarget: controlPlane.grpcTarget,
      env: { CONTROL_PLANE_TOKEN: WRONG_TOKEN },
      waitUntilReady: false,
    });
    await impostor.process.waitForOutput(/refused this data plane's credential/, 20_000);
    expect((await fetch(`${impostor.statusUrl}/health/ready`)).status).toBe(503);
    expect(await impostor.activeVersion()).toBeNull();
    expectGatewayError(await send(`${impostor.proxyUrl}/orders/1`), 503, 'NO_CONFIGURATION');
    expect(await fleetItem('dp-impostor')).toBeUndefined();
    expect(await fleetItem('dp-trusted')).toMatchObject({ connected: true, state: 'InSync' });

    const { body } = await harness.api(controlPlane, 'GET', '/data-planes');
    for (const output of [JSON.stringify(body), controlPlane.process.output(), impostor.process.output()]) {
      expect(output).not.toContain(harness.dataPlaneToken);
      expect(output).not.toContain(WRONG_TOKEN);
    }
    await Promise.all([trusted.stop(), impostor.stop()]);
  });

  it('detects a data plane whose applied hash diverged, shows it, and re-sends the snapshot, which it applies again', async () => {
    const newest = await newestSnapshot();
    const dataPlane = await harness.startDataPlane({
      id: 'dp-diverging',
      grpcTarget: controlPlane.grpcTarget,
      env: { DATA_PLANE_TEST_FAULT: 'corrupt-applied-hash-once', CONFIG_HEARTBEAT_INTERVAL_MS: '200' },
    });
    await dataPlane.process.waitForOutput(/test fault: snapshot version=\d+ now runs under hash corrupted-/, 20_000);
    await controlPlane.process.waitForOutput(/data plane dp-diverging diverged/, 20_000);

    const repaired = await expectEventually(async () => {
      const item = await fleetItem('dp-diverging');
      expect(item?.divergence?.resolvedAt).toEqual(expect.any(String));
      expect(item.state).toBe('InSync');
      return item;
    });
    expect(repaired).toMatchObject({
      inSync: true,
      activeVersion: newest.version,
      activeHash: newest.hash,
      divergence: {
        version: newest.version,
        expectedHash: newest.hash,
        reportedHash: `corrupted-${newest.hash}`,
        reason: expect.stringContaining('the snapshot was sent again'),
      },
    });
    const config = (await getJson(`${dataPlane.statusUrl}/config`)).body;
    expect(config).toMatchObject({ version: newest.version, hash: newest.hash });
    const applied = dataPlane.process.output().match(new RegExp(`applied snapshot version=${newest.version} `, 'g'));
    expect(applied).toHaveLength(2);
    expect((await getJson(`${dataPlane.proxyUrl}/orders/1`)).status).toBe(200);
    await dataPlane.stop();
  });
});

describe('data-plane streams over mutual TLS', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let controlPlane: ControlPlaneProcess;
  let dir: string;
  let certificates: TestCertificates;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotswap-e2e-mtls-'));
    certificates = createTestCertificates(dir);
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    controlPlane = await harness.startControlPlane(undefined, {
      GRPC_TLS_CERT_FILE: certificates.serverCert,
      GRPC_TLS_KEY_FILE: certificates.serverKey,
      GRPC_TLS_CLIENT_CA_FILE: certificates.caCert,
    });
  });

  afterAll(async () => {
    await harness?.stopAll();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves a data plane with a client certificate of the CA; one without a certificate gets nothing', async () => {
    const trusted = await harness.startDataPlane({
      id: 'dp-mtls',
      grpcTarget: controlPlane.grpcTarget,
      env: {
        CONTROL_PLANE_TLS_CA_FILE: certificates.caCert,
        CONTROL_PLANE_TLS_CERT_FILE: certificates.clientCert,
        CONTROL_PLANE_TLS_KEY_FILE: certificates.clientKey,
      },
    });
    expect(await trusted.activeVersion()).toBeGreaterThan(0);

    const anonymous = await harness.startDataPlane({
      id: 'dp-no-certificate',
      grpcTarget: controlPlane.grpcTarget,
      env: { CONTROL_PLANE_TLS_CA_FILE: certificates.caCert },
      waitUntilReady: false,
    });
    // The trusted one shows the control plane serves; the other one's handshakes fail.
    const { body } = await harness.api(controlPlane, 'GET', '/data-planes');
    expect(body.items.find((item: { dataPlaneId: string }) => item.dataPlaneId === 'dp-mtls')).toMatchObject({
      connected: true,
    });
    await anonymous.process.waitForOutput(/TLS handshake failed/, 20_000);
    expect((await fetch(`${anonymous.statusUrl}/health/ready`)).status).toBe(503);
    expect(await anonymous.activeVersion()).toBeNull();
    const after = await harness.api(controlPlane, 'GET', '/data-planes');
    expect(after.body.items.map((item: { dataPlaneId: string }) => item.dataPlaneId)).toEqual(['dp-mtls']);
    await Promise.all([trusted.stop(), anonymous.stop()]);
  });
});
