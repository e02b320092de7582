import { expectEventually } from '@hotswap/testing';
import { Client } from 'pg';
import { startOwnRedis, type OwnServer } from '../../../e2e/support/own-services';
import { API, startTestApp, type TestApp } from './support/test-app';

describe('health', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('reports the configuration it serves', async () => {
    await t.request('POST', `${API}/routes`, {
      body: { name: 'health-route', pathPattern: '/h/*', backends: [{ name: 'h', url: 'http://127.0.0.1:22000' }] },
    });
    const res = await t.request('GET', `${API}/health`, { as: null });
    expect(res.status).toBe(200);
    const { rows } = await t.sql.query(
      'SELECT version::int, created_at FROM config_snapshots ORDER BY version DESC LIMIT 1',
    );
    expect(res.body).toMatchObject({
      status: 'Healthy',
      version: '0.1.0',
      routesConfigured: 1,
      backendsTotal: 1,
      backendsHealthy: 0,
      configVersion: rows[0].version,
      lastConfigUpdate: expect.any(String),
      database: { status: 'Up' },
    });
    expect(res.body.uptime).toBeGreaterThanOrEqual(0);
  });

  it('reports Degraded, with the last known configuration, when PostgreSQL does not answer', async () => {
    // Refuse new connections to the test database and close the open ones.
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${t.db.name}" WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [t.db.name]);
      const res = await t.request('GET', `${API}/health`, { as: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'Degraded',
        database: { status: 'Down' },
        redis: null,
        unavailableDependencies: ['PostgreSQL'],
        routesConfigured: 1,
      });
    } finally {
      await admin.query(`ALTER DATABASE "${t.db.name}" WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
  });
});

describe('health with Redis configured', () => {
  let redis: OwnServer;
  let t: TestApp;

  beforeAll(async () => {
    redis = await startOwnRedis();
    t = await startTestApp({ REDIS_URL: redis.url });
  });

  afterAll(async () => {
    // Redis back first: the BullMQ schedulers close their queues through it.
    await redis?.start();
    await t?.close();
    await redis?.remove();
  });

  it('reports Degraded, naming Redis, while Redis is down, and Healthy again once it is back', async () => {
    const healthy = await t.request('GET', `${API}/health`, { as: null });
    expect(healthy.body).toMatchObject({
      status: 'Healthy',
      database: { status: 'Up' },
      redis: { status: 'Up' },
      unavailableDependencies: [],
    });

    await redis.stop();
    const degraded = await t.request('GET', `${API}/health`, { as: null });
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({
      status: 'Degraded',
      database: { status: 'Up' },
      redis: { status: 'Down' },
      unavailableDependencies: ['Redis'],
    });
    // The job-queue metrics wait for Redis only so long: /metrics still answers.
    const metrics = await fetch(`${t.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('gateway_jobs_waiting');

    await redis.start();
    await expectEventually(async () => {
      const res = await t.request('GET', `${API}/health`, { as: null });
      expect(res.body).toMatchObject({ status: 'Healthy', redis: { status: 'Up' }, unavailableDependencies: [] });
    });
  });
});
