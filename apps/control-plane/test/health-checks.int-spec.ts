import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  loadDiscoveryProto,
  type BackendState__Output,
  type ConfigDiscoveryClient,
  type ControlPlaneMessage__Output,
} from '@hotswap/proto';
import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { createApp } from '../src/app';
import { loadAppConfig, type AppConfig } from '../src/config/app-config';
import { storedSnapshot } from './support/stored-snapshots';
import { RAISED_RATE_LIMITS_ENV } from './support/test-app';
import type { Role } from '../src/modules/auth/roles';
import { TokenService } from '../src/modules/auth/token.service';
import { DiscoveryGrpcServer } from '../src/modules/fleet/discovery.grpc';
import { createTestDatabase, type TestDatabase } from './support/test-database';

const API = '/api/v1/gateway';
const JWT_SECRET = 'health-test-secret-health-test-secret-0123456789';
/** This file's Redis keys: its own prefix, removed at the end. */
const REDIS_PREFIX = `hotswap-test-health-${randomBytes(4).toString('hex')}`;
// Jest's global setup hands the Redis server over through the environment.
const REDIS_URL = process.env.REDIS_URL as string;

type SchedulerKind = 'in-process' | 'bullmq';

afterAll(async () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    const keys = await redis.keys(`${REDIS_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
});

describe.each<SchedulerKind>(['in-process', 'bullmq'])('health checks with the %s scheduler', (kind) => {
  let db: TestDatabase;
  let sql: Client;
  let replica: Replica;
  let seq = 0;
  const backends: TestBackend[] = [];
  const streams: TestStream[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('hotswap_health');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    replica = await startReplica(db, kind, 'replica-a');
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await replica?.close();
    await Promise.all(backends.map((backend) => backend.close()));
    await sql?.end();
    await db?.drop();
  });

  /** A real HTTP backend whose /health answers 200 or 503 as `state.isHealthy` says, counting both. */
  async function switchableBackend() {
    const state = { isHealthy: true, healthyAnswers: 0, failedAnswers: 0 };
    const backend = await startTestBackend(`switchable-${++seq}`, (_req, res) => {
      if (state.isHealthy) state.healthyAnswers++;
      else state.failedAnswers++;
      res.writeHead(state.isHealthy ? 200 : 503, { 'content-type': 'text/plain' }).end(state.isHealthy ? 'UP' : 'DOWN');
    });
    backends.push(backend);
    return { backend, state, probes: () => backend.received.filter((r) => r.url === '/health').length };
  }

  async function createBackend(url: string, healthCheck: Record<string, unknown> | null = { intervalMs: 100 }) {
    const response = await replica.request('POST', `${API}/backends`, {
      body: { name: `health-backend-${++seq}`, url, ...(healthCheck ? { healthCheck } : {}) },
    });
    expect(response.status).toBe(201);
    return response.body.backendId as string;
  }

  async function health(target: Replica, backendId: string) {
    const response = await target.request('GET', `${API}/backends/${backendId}/health`, { as: 'Viewer' });
    expect(response.status).toBe(200);
    return response.body;
  }

  function openStream(target: Replica): TestStream {
    const stream = connectStream(target, `dp-${kind}-${++seq}`);
    streams.push(stream);
    return stream;
  }

  it('turns a failing backend Unhealthy after 3 failed checks and Healthy after 2 passing ones; streams hear each change without a new config version', async () => {
    const stream = openStream(replica);
    const { backend, state } = await switchableBackend();
    stream.trackAnswers(state);
    const backendId = await createBackend(backend.url);
    await expectEventually(async () => expect((await health(replica, backendId)).healthStatus).toBe('Healthy'));
    const healthy = await expectEventually(() => stream.latestState(backendId, 'Healthy'));
    const version = await latestSnapshotVersion(sql);

    state.isHealthy = false;
    const unhealthy = await expectEventually(() => stream.latestState(backendId, 'Unhealthy'));
    expect(unhealthy.failedAnswersSeen).toBeGreaterThanOrEqual(3);
    expect(unhealthy.state.sequence).toBeGreaterThan(healthy.state.sequence);
    const view = await health(replica, backendId);
    expect(view).toMatchObject({ healthStatus: 'Unhealthy', checkedStatus: 'Unhealthy', consecutiveSuccesses: 0 });
    expect(view.consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(view.lastCheck).toMatchObject({ isHealthy: false, statusCode: 503, detail: 'HTTP 503, expected 200' });
    expect(view.lastHealthCheck).toEqual(view.lastCheck.checkedAt);

    const failuresBeforeRecovery = state.failedAnswers;
    state.isHealthy = true;
    const recovered = await expectEventually(() => stream.latestState(backendId, 'Healthy', unhealthy.state.sequence));
    expect(recovered.healthyAnswersSeen - healthy.healthyAnswersSeen).toBeGreaterThanOrEqual(2);
    expect(state.failedAnswers).toBeGreaterThanOrEqual(failuresBeforeRecovery);
    expect(await latestSnapshotVersion(sql)).toBe(version);
  });

  it('documents its endpoints in the OpenAPI document', async () => {
    const document = await replica.request('GET', '/swagger-json', { as: null });
    expect(document.status).toBe(200);
    expect(document.body.paths).toMatchObject({
      [`${API}/backends/{backendId}/health`]: { get: expect.any(Object) },
      [`${API}/health-checks`]: { post: expect.any(Object) },
      [`${API}/backends/{backendId}/draining`]: { put: expect.any(Object) },
      [`${API}/backends/{backendId}/circuit-breaker`]: { put: expect.any(Object) },
    });
    const breakerBody = document.body.paths[`${API}/backends/{backendId}/circuit-breaker`].put.requestBody;
    expect(JSON.stringify(breakerBody)).toContain('"auto"');
  });

  it('does not probe a backend without a healthCheck block and leaves its state alone', async () => {
    const unchecked = await switchableBackend();
    const checked = await switchableBackend();
    const uncheckedId = await createBackend(unchecked.backend.url, null);
    await createBackend(checked.backend.url);

    await expectEventually(() => expect(checked.probes()).toBeGreaterThanOrEqual(5));
    expect(unchecked.probes()).toBe(0);
    expect(await health(replica, uncheckedId)).toMatchObject({
      healthStatus: 'Unknown',
      isActivelyChecked: false,
      lastHealthCheck: null,
      consecutiveSuccesses: 0,
      consecutiveFailures: 0,
      healthCheck: null,
    });
  });

  it('follows configuration: probing starts when a healthCheck block is added and stops when it is removed', async () => {
    const target = await switchableBackend();
    const clock = await switchableBackend();
    const backendId = await createBackend(target.backend.url, null);
    await createBackend(clock.backend.url);

    const added = await replica.request('PATCH', `${API}/backends/${backendId}`, {
      body: { healthCheck: { intervalMs: 100 } },
    });
    expect(added.status).toBe(200);
    await expectEventually(() => expect(target.probes()).toBeGreaterThanOrEqual(3));
    await expectEventually(async () => expect((await health(replica, backendId)).healthStatus).toBe('Healthy'));

    const removed = await replica.request('PATCH', `${API}/backends/${backendId}`, { body: { healthCheck: null } });
    expect(removed.status).toBe(200);
    // Once the removal is applied, the probed count stops; the clock backend shows that time passed meanwhile.
    await expectEventually(async () => {
      const before = target.probes();
      const clockBefore = clock.probes();
      await expectEventually(() => expect(clock.probes()).toBeGreaterThanOrEqual(clockBefore + 5));
      expect(target.probes()).toBe(before);
    });
    expect(await health(replica, backendId)).toMatchObject({ healthStatus: 'Healthy', isActivelyChecked: false });
  });

  it('probes a backend once per interval', async () => {
    const { backend, probes } = await switchableBackend();
    await createBackend(backend.url, { intervalMs: INTERVAL_MS });
    await expectEventually(() => expect(probes()).toBeGreaterThanOrEqual(1));

    const counted = await countOverWindow(probes);
    expectOncePerInterval(counted);
  });

  it('POST health-checks runs a check now and returns its result; a backend without a healthCheck block keeps its state', async () => {
    const { backend, state } = await switchableBackend();
    const withCheck = await createBackend(backend.url, { intervalMs: '1h' });
    const withoutCheck = await createBackend(backend.url, null);
    await expectEventually(async () => expect((await health(replica, withCheck)).consecutiveSuccesses).toBe(1));

    const now = await replica.request('POST', `${API}/health-checks`, {
      body: { backendId: withCheck },
      as: 'Operator',
    });
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({
      backendId: withCheck,
      type: 'HTTP',
      isHealthy: true,
      statusCode: 200,
      detail: 'HTTP 200',
      recorded: true,
      health: { healthStatus: 'Healthy', consecutiveSuccesses: 2, consecutiveFailures: 0 },
    });
    expect(now.body.health.lastHealthCheck).toBe(now.body.checkedAt);

    state.isHealthy = false;
    const failed = await replica.request('POST', `${API}/health-checks`, { body: { backendId: withoutCheck } });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ isHealthy: false, statusCode: 503, recorded: false });
    expect(failed.body.health).toMatchObject({
      healthStatus: 'Unknown',
      consecutiveFailures: 0,
      lastHealthCheck: null,
    });
    state.isHealthy = true;
  });

  it('answers bad requests with 400 naming the field, unknown backends with 404, other roles with 403, in the error envelope', async () => {
    const { backend } = await switchableBackend();
    const backendId = await createBackend(backend.url, null);
    const cases: Array<[string, string, unknown, Role, number, string, string?]> = [
      ['POST', `${API}/health-checks`, {}, 'Admin', 400, 'VALIDATION_ERROR', 'backendId'],
      ['POST', `${API}/health-checks`, { backendId, extra: 1 }, 'Admin', 400, 'VALIDATION_ERROR', 'extra'],
      ['POST', `${API}/health-checks`, { backendId: 'no such/id' }, 'Admin', 400, 'VALIDATION_ERROR', 'backendId'],
      ['POST', `${API}/health-checks`, { backendId: 'missing-backend' }, 'Admin', 404, 'NOT_FOUND'],
      ['POST', `${API}/health-checks`, { backendId }, 'Viewer', 403, 'FORBIDDEN'],
      ['GET', `${API}/backends/missing-backend/health`, undefined, 'Viewer', 404, 'NOT_FOUND'],
      [
        'PUT',
        `${API}/backends/${backendId}/draining`,
        { draining: 'yes' },
        'Admin',
        400,
        'VALIDATION_ERROR',
        'draining',
      ],
      ['PUT', `${API}/backends/missing-backend/draining`, { draining: true }, 'Admin', 404, 'NOT_FOUND'],
      ['PUT', `${API}/backends/${backendId}/draining`, { draining: true }, 'Operator', 403, 'FORBIDDEN'],
      [
        'PUT',
        `${API}/backends/${backendId}/circuit-breaker`,
        { state: 'half' },
        'Admin',
        400,
        'VALIDATION_ERROR',
        'state',
      ],
      ['PUT', `${API}/backends/${backendId}/circuit-breaker`, {}, 'Admin', 400, 'VALIDATION_ERROR', 'state'],
      ['PUT', `${API}/backends/missing-backend/circuit-breaker`, { state: 'open' }, 'Admin', 404, 'NOT_FOUND'],
      ['PUT', `${API}/backends/${backendId}/circuit-breaker`, { state: 'open' }, 'Operator', 403, 'FORBIDDEN'],
    ];
    for (const [method, path, body, as, status, code, field] of cases) {
      const response = await replica.request(method, path, { body, as });
      expect({ method, path, body, status: response.status, code: response.body.error?.code }).toEqual({
        method,
        path,
        body,
        status,
        code,
      });
      expect(response.body.error.traceId).toEqual(expect.any(String));
      if (field) expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await health(replica, backendId)).toMatchObject({ healthStatus: 'Unknown', circuitBreakerOverride: null });
    expect(await countAudit(sql, backendId, ['BackendDrainStarted', 'CircuitBreakerOverridden'])).toBe(0);
  });

  it('drains a backend (audited, streamed, no new config version) and restores what the checks say when the drain ends', async () => {
    const stream = openStream(replica);
    const { backend } = await switchableBackend();
    const backendId = await createBackend(backend.url);
    const healthy = await expectEventually(() => stream.latestState(backendId, 'Healthy'));
    const version = await latestSnapshotVersion(sql);

    const drained = await replica.request('PUT', `${API}/backends/${backendId}/draining`, { body: { draining: true } });
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ healthStatus: 'Draining', isDraining: true, checkedStatus: 'Healthy' });
    await expectEventually(() => stream.latestState(backendId, 'Draining', healthy.state.sequence));
    const listed = await replica.request('GET', `${API}/backends?healthStatus=Draining`, { as: 'Viewer' });
    expect(listed.body.items.map((item: { backendId: string }) => item.backendId)).toContain(backendId);
    const successes = (await health(replica, backendId)).consecutiveSuccesses;
    await expectEventually(async () =>
      expect((await health(replica, backendId)).consecutiveSuccesses).toBeGreaterThan(successes + 1),
    );
    expect((await health(replica, backendId)).healthStatus).toBe('Draining');

    const ended = await replica.request('PUT', `${API}/backends/${backendId}/draining`, { body: { draining: false } });
    expect(ended.body).toMatchObject({ healthStatus: 'Healthy', isDraining: false });
    await expectEventually(() => stream.latestState(backendId, 'Healthy', healthy.state.sequence));
    expect(await latestSnapshotVersion(sql)).toBe(version);
    const audit = await auditRows(sql, backendId);
    expect(audit.filter((row) => row.event_type.startsWith('BackendDrain'))).toEqual([
      expect.objectContaining({
        event_type: 'BackendDrainStarted',
        user_id: 'test-admin',
        details: { previousStatus: 'Healthy' },
      }),
      expect.objectContaining({
        event_type: 'BackendDrainEnded',
        user_id: 'test-admin',
        details: { previousStatus: 'Draining' },
      }),
    ]);
  });

  it('forces a breaker open, closed and back to auto (Admin, audited), and every stream hears each override', async () => {
    const stream = openStream(replica);
    const { backend } = await switchableBackend();
    const backendId = await createBackend(backend.url, null);

    const opened = await replica.request('PUT', `${API}/backends/${backendId}/circuit-breaker`, {
      body: { state: 'open' },
    });
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ circuitBreakerOverride: 'open', healthStatus: 'Unknown' });
    const open = await expectEventually(() => stream.latestOverride(backendId, 'BREAKER_OVERRIDE_OPEN'));

    await replica.request('PUT', `${API}/backends/${backendId}/circuit-breaker`, { body: { state: 'closed' } });
    const closed = await expectEventually(() => stream.latestOverride(backendId, 'BREAKER_OVERRIDE_CLOSED'));
    expect(closed.sequence).toBeGreaterThan(open.sequence);

    const auto = await replica.request('PUT', `${API}/backends/${backendId}/circuit-breaker`, {
      body: { state: 'auto' },
    });
    expect(auto.body.circuitBreakerOverride).toBeNull();
    await expectEventually(() => stream.latestOverride(backendId, 'BREAKER_OVERRIDE_NONE'));
    expect((await auditRows(sql, backendId)).filter((row) => row.event_type === 'CircuitBreakerOverridden')).toEqual([
      expect.objectContaining({ user_id: 'test-admin', details: { state: 'open', previous: 'auto' } }),
      expect.objectContaining({ user_id: 'test-admin', details: { state: 'closed', previous: 'open' } }),
      expect.objectContaining({ user_id: 'test-admin', details: { state: 'auto', previous: 'closed' } }),
    ]);
  });

  it('sends every backend state right after the snapshot when a stream opens, and new snapshots carry the stored health', async () => {
    const { backend, state } = await switchableBackend();
    state.isHealthy = false;
    const backendId = await createBackend(backend.url);
    await expectEventually(async () => expect((await health(replica, backendId)).healthStatus).toBe('Unhealthy'));
    const view = await health(replica, backendId);

    const stream = openStream(replica);
    await expectEventually(() => expect(stream.messages.length).toBeGreaterThanOrEqual(2));
    expect(stream.messages[0]!.message).toBe('snapshot');
    expect(stream.messages[1]!.backendStates?.full).toBe(true);
    expect(stream.messages[1]!.backendStates?.states).toContainEqual({
      backendId,
      healthStatus: 'Unhealthy',
      breakerOverride: 'BREAKER_OVERRIDE_NONE',
      sequence: view.stateSequence,
      updatedAtMs: Date.parse(view.stateUpdatedAt),
    });

    await createBackend('http://127.0.0.1:9', null);
    const snapshot = await storedSnapshot(sql);
    expect(snapshot.backends.find((b) => b.backendId === backendId)?.healthStatus).toBe('Unhealthy');
  });

  it('keeps the state across a control-plane restart', async () => {
    const { backend, state } = await switchableBackend();
    state.isHealthy = false;
    const backendId = await createBackend(backend.url, { intervalMs: 100, unhealthyThreshold: 1 });
    await expectEventually(async () => expect((await health(replica, backendId)).healthStatus).toBe('Unhealthy'));
    await replica.request('PUT', `${API}/backends/${backendId}/circuit-breaker`, { body: { state: 'open' } });
    const before = await health(replica, backendId);

    await replica.close();
    replica = await startReplica(db, kind, 'replica-a');
    const after = await health(replica, backendId);
    expect(after).toMatchObject({
      healthStatus: 'Unhealthy',
      circuitBreakerOverride: 'open',
      stateSequence: before.stateSequence,
      stateUpdatedAt: before.stateUpdatedAt,
    });
    expect(after.consecutiveFailures).toBeGreaterThanOrEqual(before.consecutiveFailures);
    const stream = openStream(replica);
    const opening = await expectEventually(() => stream.latestState(backendId, 'Unhealthy'));
    expect(opening.state).toMatchObject({ sequence: before.stateSequence, breakerOverride: 'BREAKER_OVERRIDE_OPEN' });
    // Checks resume after the restart.
    await expectEventually(async () =>
      expect((await health(replica, backendId)).consecutiveFailures).toBeGreaterThan(after.consecutiveFailures),
    );
  });

  if (kind === 'bullmq') {
    it('with two replicas sharing Redis probes each backend once per interval, and both replicas stream every change', async () => {
      const second = await startReplica(db, kind, 'replica-b');
      try {
        const { backend, probes } = await switchableBackend();
        const backendId = await createBackend(backend.url, { intervalMs: INTERVAL_MS });
        await expectEventually(() => expect(probes()).toBeGreaterThanOrEqual(1));

        const counted = await countOverWindow(probes);
        expectOncePerInterval(counted);

        const onFirst = openStream(replica);
        const onSecond = openStream(second);
        const drained = await second.request('PUT', `${API}/backends/${backendId}/draining`, {
          body: { draining: true },
        });
        expect(drained.status).toBe(200);
        await expectEventually(() => onFirst.latestState(backendId, 'Draining'));
        await expectEventually(() => onSecond.latestState(backendId, 'Draining'));
      } finally {
        await second.close();
      }
    });
  }
});

/** The interval of the counting tests, and how many of them a window lasts. */
const INTERVAL_MS = 250;
const WINDOW_INTERVALS = 20;

/**
 * How many more probes `count` shows over a window of about WINDOW_INTERVALS intervals, and how long the window really
 * lasted: a measurement, not a wait (a loaded machine may stretch it; the bound follows the measured time).
 */
async function countOverWindow(count: () => number): Promise<{ probes: number; elapsedMs: number }> {
  const start = count();
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_INTERVALS * INTERVAL_MS));
  return { probes: count() - start, elapsedMs: performance.now() - startedAt };
}

/** Kept probing over the window, and never more often than once per interval (one probe of slack at each end). */
function expectOncePerInterval({ probes, elapsedMs }: { probes: number; elapsedMs: number }): void {
  expect(probes).toBeGreaterThanOrEqual(2);
  expect(probes).toBeLessThanOrEqual(Math.floor(elapsedMs / INTERVAL_MS) + 2);
}

interface Replica {
  app: NestExpressApplication;
  grpcTarget: string;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; as?: Role | null },
  ): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

// Responses are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A real control plane (createApp, as main.ts builds it) with the scheduler of `kind`, on free ports. */
async function startReplica(db: TestDatabase, kind: SchedulerKind, instanceId: string): Promise<Replica> {
  const env = loadAppConfig({
    ...RAISED_RATE_LIMITS_ENV,
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    JWT_SECRET,
    LOG_LEVEL: 'error',
    CONTROL_PLANE_INSTANCE_ID: instanceId,
    REDIS_KEY_PREFIX: `${REDIS_PREFIX}-${db.name}`,
    ...(kind === 'bullmq' ? { REDIS_URL } : {}),
  });
  const config: AppConfig = Object.freeze({ ...env, grpc: Object.freeze({ host: '127.0.0.1', port: 0 }) });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const tokens = new TokenService(config.auth);
  let isClosed = false;
  return {
    app,
    grpcTarget: `127.0.0.1:${app.get(DiscoveryGrpcServer).port}`,
    async request(method, path, options = {}) {
      const as = options.as === undefined ? 'Admin' : options.as;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (as) headers['authorization'] = `Bearer ${tokens.issue({ sub: `test-${as.toLowerCase()}`, role: as })}`;
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
      return { status: response.status, body: await response.json() };
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      await app.close();
    },
  };
}

/** A backend state as a stream delivered it, with what its test backend had answered by then. */
interface SeenState {
  state: BackendState__Output;
  healthyAnswersSeen: number;
  failedAnswersSeen: number;
}

/** A data plane's side of the discovery stream (a real grpc-js client): says Hello, ACKs snapshots, keeps all. */
interface TestStream {
  messages: ControlPlaneMessage__Output[];
  /** The newest state of a backend with `healthStatus`, delivered after `afterSequence`; throws when none yet. */
  latestState(backendId: string, healthStatus: string, afterSequence?: number): SeenState;
  latestOverride(backendId: string, override: string): BackendState__Output;
  /** Records, with each state received, the answers counted by `answers` (null: stop). */
  trackAnswers(answers: { healthyAnswers: number; failedAnswers: number } | null): void;
  close(): void;
}

function connectStream(target: Replica, dataPlaneId: string): TestStream {
  const { ConfigDiscovery } = loadDiscoveryProto().hotswap.discovery.v1;
  const client: ConfigDiscoveryClient = new ConfigDiscovery(
    target.grpcTarget,
    grpc.credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  );
  const call = client.StreamConfig();
  const messages: ControlPlaneMessage__Output[] = [];
  const seen: SeenState[] = [];
  let tracked: { healthyAnswers: number; failedAnswers: number } | null = null;
  call.on('data', (message: ControlPlaneMessage__Output) => {
    messages.push(message);
    if (message.snapshot && !call.writableEnded) {
      const { version, hash, nonce } = message.snapshot;
      call.write({ ack: { version, hash, nonce, applyMs: 1 } });
    }
    for (const state of message.backendStates?.states ?? []) {
      seen.push({
        state,
        healthyAnswersSeen: tracked?.healthyAnswers ?? 0,
        failedAnswersSeen: tracked?.failedAnswers ?? 0,
      });
    }
  });
  call.on('error', () => undefined);
  call.write({
    hello: { dataPlaneId, hostname: 'test', buildVersion: 'test', schemaVersion: 1, activeVersion: 0, activeHash: '' },
  });
  const newestOf = (backendId: string) =>
    seen
      .filter((s) => s.state.backendId === backendId)
      .reduce<SeenState | undefined>((a, b) => (a && a.state.sequence >= b.state.sequence ? a : b), undefined);
  return {
    messages,
    latestState(backendId, healthStatus, afterSequence = 0) {
      const newest = newestOf(backendId);
      expect(newest?.state).toMatchObject({ healthStatus });
      expect(newest!.state.sequence).toBeGreaterThan(afterSequence);
      return newest!;
    },
    latestOverride(backendId, override) {
      const newest = newestOf(backendId);
      expect(newest?.state.breakerOverride).toBe(override);
      return newest!.state;
    },
    trackAnswers(source) {
      tracked = source;
    },
    close() {
      call.cancel();
      client.close();
    },
  };
}

async function latestSnapshotVersion(sql: Client): Promise<number> {
  const { rows } = await sql.query<{ version: string }>('SELECT max(version)::text AS version FROM config_snapshots');
  return Number(rows[0]?.version);
}

async function auditRows(
  sql: Client,
  backendId: string,
): Promise<Array<{ event_type: string; user_id: string | null; details: unknown }>> {
  const { rows } = await sql.query(
    'SELECT event_type, user_id, details FROM audit_logs WHERE entity_id = $1 ORDER BY id',
    [backendId],
  );
  return rows;
}

async function countAudit(sql: Client, backendId: string, eventTypes: string[]): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM audit_logs WHERE entity_id = $1 AND event_type = ANY($2)',
    [backendId, eventTypes],
  );
  return Number(rows[0]?.n);
}
