import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort, startProcess, type TestProcess } from '@hotswap/testing';
import { isPortFree } from '../src/port-check';

const ROOT = resolve(__dirname, '../../..');
const LAUNCHER = join(ROOT, 'apps/local-gateway/dist/main.js');

/** The one-command start, as `npm start` runs it after the build, on free ports and a state folder of its own. */
describe('local gateway', () => {
  let stateDir: string;
  let launcher: TestProcess | undefined;

  beforeAll(() => {
    if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is not built: run "npm run build" first (npm test does)`);
    stateDir = mkdtempSync(join(tmpdir(), 'local-gateway-'));
    // The embedded PostgreSQL runs as the `postgres` user when tests run as root: it must reach the folder.
    chmodSync(stateDir, 0o755);
  });
  afterAll(async () => {
    // SIGTERM: the launcher then stops what it started; SIGKILL would leave its children behind.
    await launcher?.stop('SIGTERM');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts PostgreSQL, the demo backend, the control plane and a data plane, serves /demo, and stops all on SIGTERM', async () => {
    const ports = {
      GATEWAY_PORT: await findFreePort(),
      GATEWAY_STATUS_PORT: await findFreePort(),
      CONTROL_PLANE_HTTP_PORT: await findFreePort(),
      CONTROL_PLANE_GRPC_PORT: await findFreePort(),
      DEMO_BACKEND_PORT: await findFreePort(),
      EMBEDDED_POSTGRES_PORT: await findFreePort(),
    };
    launcher = startProcess('local-gateway', process.execPath, [LAUNCHER], {
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      HOTSWAP_STATE_DIR: stateDir,
      DATABASE_URL: undefined,
      JWT_SECRET: undefined,
      NO_COLOR: '1',
    });
    const token = (await launcher.waitForOutput(/export TOKEN=(\S+)/, 60_000))[1];

    const viaGateway = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/demo/get?hello=world`);
    expect(viaGateway.status).toBe(200);
    expect(await viaGateway.json()).toMatchObject({ server: 'demo-backend', path: '/get', args: { hello: 'world' } });

    const routes = await fetch(`http://127.0.0.1:${ports.CONTROL_PLANE_HTTP_PORT}/api/v1/gateway/routes`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(routes.status).toBe(200);
    expect(JSON.stringify(await routes.json())).toContain('"/demo/**"');
    expect(launcher.output()).toContain(`curl http://localhost:${ports.GATEWAY_PORT}/demo/get`);

    await expect(launcher.stop('SIGTERM')).resolves.toBe(0);
    expect(launcher.output()).toMatch(
      /stopping data-plane[\s\S]*stopping control-plane[\s\S]*stopping demo-backend[\s\S]*stopping PostgreSQL/,
    );
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
  });
});
