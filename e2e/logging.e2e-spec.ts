import { randomBytes } from 'node:crypto';
import { expectEventually, findFreePort, send, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';
import { startOwnRedis, type OwnServer } from './support/own-services';

type LogLine = Record<string, unknown>;

function secret(label: string): string {
  return `${label}-${randomBytes(12).toString('hex')}`;
}

/** Every line of a process's output, parsed: a line that is not JSON fails the test. */
function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

describe('logs: JSON lines with the guide fields, and never a secret', () => {
  const dbPassword = secret('db-password');
  const redisPassword = secret('redis-password');
  const dataPlaneToken = secret('data-plane-token').padEnd(40, 'x');
  const queryToken = secret('query-token');
  const cookieValue = secret('cookie');
  const forgedBearer = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.${secret('signature')}`;
  let database: { url: string; drop(): Promise<void> };
  let redis: OwnServer;
  let harness: GatewayHarness;
  let controlPlane: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;
  let backend: TestBackend;
  let controlPlaneLines: LogLine[];
  let dataPlaneLines: LogLine[];
  let output: string;
  const traceId = `logs-e2e-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    const withPassword = new URL(database.url);
    // Trust authentication ignores the password; the control plane still holds it in DATABASE_URL.
    withPassword.password = dbPassword;
    redis = await startOwnRedis({ password: redisPassword });
    harness = new GatewayHarness(withPassword.toString());
    backend = await startTestBackend('logs');
    controlPlane = await harness.startControlPlane(undefined, {
      REDIS_URL: redis.url,
      LOG_LEVEL: 'debug',
      DATA_PLANE_TOKENS: dataPlaneToken,
    });
    dataPlane = await harness.startDataPlane({
      id: 'dp-logs',
      grpcTarget: controlPlane.grpcTarget,
      env: {
        REDIS_URL: redis.url,
        LOG_LEVEL: 'debug',
        CONTROL_PLANE_TOKEN: dataPlaneToken,
        GATEWAY_ACCESS_LOG: 'on',
      },
    });

    const deadPort = await findFreePort();
    const created = await harness.api(controlPlane, 'POST', '/backends', {
      name: 'logs-backend',
      url: backend.url,
      healthCheck: { type: 'HTTP', endpoint: '/health', intervalMs: '1h', timeoutMs: '3s' },
    });
    expect(created.status).toBe(201);
    const routes = [
      { name: 'logs-ok', pathPattern: '/ok/**', backendIds: [created.body.backendId] },
      { name: 'logs-dead', pathPattern: '/dead/**', backends: [{ name: 'dead', url: `http://127.0.0.1:${deadPort}` }] },
    ];
    for (const route of routes) expect((await harness.api(controlPlane, 'POST', '/routes', route)).status).toBe(201);
    const { body } = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(body.items[0].version));

    // A check run by an API call: the service's log line belongs to that request.
    const check = await fetch(`${controlPlane.httpUrl}/api/v1/gateway/health-checks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${harness.token('Operator')}`,
        'content-type': 'application/json',
        'x-request-id': traceId,
      },
      body: JSON.stringify({ backendId: created.body.backendId }),
    });
    expect(check.status).toBe(200);
    // Refused calls: a forged token, a cookie, a token in the query string.
    const refused = await fetch(`${controlPlane.httpUrl}/api/v1/gateway/routes?access_token=${queryToken}`, {
      headers: { authorization: `Bearer ${forgedBearer}`, cookie: `session=${cookieValue}` },
    });
    expect(refused.status).toBe(401);
    const secretHeaders = { authorization: `Bearer ${forgedBearer}`, cookie: `session=${cookieValue}` };
    expect(
      (await send(`${dataPlane.proxyUrl}/ok/items?access_token=${queryToken}`, { headers: secretHeaders })).status,
    ).toBe(200);
    expect(
      (await send(`${dataPlane.proxyUrl}/dead/items?access_token=${queryToken}`, { headers: secretHeaders })).status,
    ).toBe(502);

    // Stopped gracefully, each has written everything it buffered.
    await dataPlane.stop();
    await controlPlane.stop();
    output = controlPlane.process.output() + dataPlane.process.output();
    controlPlaneLines = jsonLines(controlPlane.process.output());
    dataPlaneLines = jsonLines(dataPlane.process.output());
  });

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    await redis?.remove();
    await database?.drop();
  });

  it('writes no secret: JWT secret, passwords in URLs, tokens, bearer headers, cookies, query strings', () => {
    const secrets = {
      jwtSecret: harness.jwtSecret,
      dbPassword,
      redisPassword,
      dataPlaneToken,
      adminToken: harness.token('Admin'),
      operatorToken: harness.token('Operator'),
      forgedBearer,
      cookieValue,
      queryToken,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, isWritten: output.includes(value) }).toEqual({ name, isWritten: false });
    }
  });

  it('prints each plane configuration at start, with the secrets masked', () => {
    const controlPlaneConfig = controlPlaneLines.find((line) => line.message === 'configuration');
    expect(controlPlaneConfig).toMatchObject({
      level: 'info',
      config: { databaseUrl: expect.stringContaining(':***@'), redisUrl: expect.stringContaining(':***@') },
    });
    const dataPlaneStart = dataPlaneLines.find((line) => String(line.message).includes('listening proxy='));
    expect(dataPlaneStart).toMatchObject({ config: { rateLimits: { redisUrl: expect.stringContaining(':***@') } } });
  });

  it('logs each API request with method, path, status, latency, trace id and the caller', () => {
    const requests = controlPlaneLines.filter((line) => line.message === 'request');
    expect(requests).toContainEqual(
      expect.objectContaining({
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: 'info',
        method: 'POST',
        path: '/api/v1/gateway/routes',
        statusCode: 201,
        latencyMs: expect.any(Number),
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        userId: 'e2e-admin',
      }),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/api/v1/gateway/routes', statusCode: 401 }),
    );
  });

  it('gives lines written while serving a request that request trace id and user', () => {
    const duringCheck = controlPlaneLines.filter((line) => line.traceId === traceId && line.message !== 'request');
    expect(duringCheck).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('is Healthy'), userId: 'e2e-operator' }),
    );
  });

  it('writes an access line per proxied request, and a warning with the route and backend when one fails', () => {
    const access = dataPlaneLines.filter((line) => line.message === 'request');
    expect(access).toEqual([
      expect.objectContaining({
        routeName: 'logs-ok',
        backendName: 'logs-backend',
        method: 'GET',
        path: '/ok/items',
        statusCode: 200,
        latencyMs: expect.any(Number),
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
      expect.objectContaining({ routeName: 'logs-dead', backendName: 'dead', path: '/dead/items', statusCode: 502 }),
    ]);
    expect(dataPlaneLines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'backend request failed',
        routeName: 'logs-dead',
        backendName: 'dead',
        path: '/dead/items',
        traceId: access[1]?.traceId,
      }),
    );
  });
});
