import * as grpc from '@grpc/grpc-js';
import {
  applySnapshotDelta,
  hashSnapshotContent,
  parseSnapshotDelta,
  type ConfigSnapshot,
  type SnapshotContent,
} from '@hotswap/config-snapshot';
import {
  GRPC_CHANNEL_OPTIONS,
  SNAPSHOT_DELTA_ENCODING,
  SNAPSHOT_DELTA_FEATURE,
  SNAPSHOT_ENCODING,
  decodeSnapshotPayload,
  loadDiscoveryProto,
  type ConfigDiscoveryClient,
  type ControlPlaneMessage,
  type ControlPlaneMessage__Output,
  type DataPlaneMessage,
  type Snapshot__Output,
} from '@hotswap/proto';
import { expectEventually } from '@hotswap/testing';
import { Client } from 'pg';
import type { Role } from '../src/modules/auth/roles';
import { DataPlaneRepository } from '../src/modules/fleet/data-plane.repository';
import { DiscoveryService } from '../src/modules/fleet/discovery.service';
import { DEFAULT_FLEET_OPTIONS } from '../src/modules/fleet/fleet.options';
import { SnapshotFeed } from '../src/modules/fleet/snapshot-feed';
import { LISTENER_APPLICATION_NAME } from '../src/database/notification.listener';
import { CONFIG_SNAPSHOT_CHANNEL } from '../src/modules/snapshots/snapshot-store';
import { fullSnapshotOf } from './support/pushed-snapshot';
import { storedSnapshot } from './support/stored-snapshots';
import { API, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

let db: TestDatabase;
let sql: Client;
let replica: TestApp;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase('hotswap_fleet');
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  replica = await startReplica('replica-a');
});

afterAll(async () => {
  await replica?.close();
  await sql?.end();
  await db?.drop();
});

describe('config discovery', () => {
  it('pushes the newest snapshot to a data plane that says Hello; its payload decodes to content of that hash', async () => {
    const newest = await newestStoredSnapshot();
    const dp = connectDataPlane(replica, { dataPlaneId: uniqueId('hello') });

    const pushed = await dp.nextSnapshot();
    expect(pushed).toMatchObject({
      version: newest.version,
      hash: newest.hash,
      schemaVersion: newest.schemaVersion,
      encoding: SNAPSHOT_ENCODING,
    });
    expect(pushed.nonce).not.toBe('');
    const decoded = fullSnapshotOf(pushed);
    expect(decoded).toEqual(newest);
    expect(hashSnapshotContent(decoded as SnapshotContent)).toBe(pushed.hash);
    dp.close();
  });

  it('pushes a change committed after the data plane connected', async () => {
    const dp = connectDataPlane(replica, { dataPlaneId: uniqueId('change') });
    dp.ack(await dp.nextSnapshot());

    const backend = await createBackend(replica);
    const pushed = await dp.nextSnapshot();
    expect(pushed.version).toBe(await latestVersion());
    const decoded = fullSnapshotOf(pushed);
    expect(decoded.backends.map((b) => b.backendId)).toContain(backend.backendId);
    dp.close();
  });

  it('records an Ack: the fleet view shows the active version, hash, apply time and that it is in sync', async () => {
    const dataPlaneId = uniqueId('ack');
    const dp = connectDataPlane(replica, { dataPlaneId, hostname: 'dp-host-1', buildVersion: '1.2.3' });
    const pushed = await dp.nextSnapshot();
    dp.ack(pushed, 12.5);

    const item = await expectEventually(async () => {
      const found = await dataPlaneInList(replica, dataPlaneId, 'Viewer');
      expect(found.lastAckAt).not.toBeNull();
      return found;
    });
    expect(item).toMatchObject({
      dataPlaneId,
      hostname: 'dp-host-1',
      buildVersion: '1.2.3',
      schemaVersion: 1,
      connected: true,
      activeVersion: pushed.version,
      activeHash: pushed.hash,
      inSync: true,
      lastApplyMs: 12.5,
      lastNack: null,
      withheld: null,
      controlPlaneInstance: 'replica-a',
    });
    const one = await replica.request('GET', `${API}/data-planes/${dataPlaneId}`, { as: 'Operator' });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ ...item, lastSeenAt: one.body.lastSeenAt });

    await createBackend(replica);
    const list = await replica.request('GET', `${API}/data-planes`);
    expect(list.body.configVersion).toBe(await latestVersion());
    expect(list.body.items.find((i: { dataPlaneId: string }) => i.dataPlaneId === dataPlaneId).inSync).toBe(false);
    dp.close();
  });

  it('sends a data plane that understands deltas each change as its changes from the version it runs', async () => {
    const dp = connectDataPlane(replica, { dataPlaneId: uniqueId('delta'), features: [SNAPSHOT_DELTA_FEATURE] });
    const first = await dp.nextSnapshot();
    // Nothing runs there yet: the first snapshot goes in full.
    const base = fullSnapshotOf(first);
    dp.ack(first);

    const backend = await createBackend(replica);
    const pushed = await dp.nextSnapshot();
    expect(pushed.encoding).toBe(SNAPSHOT_DELTA_ENCODING);
    const decoded = decodeSnapshotPayload(pushed.payload, pushed.encoding);
    if (decoded.kind !== 'delta') throw new Error('a delta was announced');
    const delta = parseSnapshotDelta(decoded.delta);
    if (!delta.ok) throw new Error(JSON.stringify(delta.issues));
    expect(delta.value.base).toEqual({ version: base.version, hash: base.hash });
    expect(delta.value.backends.upserted.map((b) => b.backendId)).toEqual([backend.backendId]);
    expect(delta.value.routes).toEqual({ upserted: [], removed: [] });
    const rebuilt = applySnapshotDelta(base, delta.value);
    if (!rebuilt.ok) throw new Error(JSON.stringify(rebuilt.issues));
    expect(rebuilt.value).toEqual(await snapshotOfVersion(pushed.version));
    dp.close();
  });

  it('answers a Nack of a delta base with the same version in full, and records no rejection', async () => {
    const dataPlaneId = uniqueId('delta-base');
    const dp = connectDataPlane(replica, { dataPlaneId, features: [SNAPSHOT_DELTA_FEATURE] });
    dp.ack(await dp.nextSnapshot());

    await createBackend(replica);
    const delta = await dp.nextSnapshot();
    expect(delta.encoding).toBe(SNAPSHOT_DELTA_ENCODING);
    dp.nack(delta, ['delta.base: is version 1; this data plane runs version 2']);
    const full = await dp.nextSnapshot();
    expect(full).toMatchObject({ version: delta.version, hash: delta.hash, encoding: SNAPSHOT_ENCODING });
    expect(full.nonce).not.toBe(delta.nonce);
    expect(fullSnapshotOf(full)).toEqual(await snapshotOfVersion(full.version));
    dp.ack(full);

    const item = await expectEventually(async () => {
      const found = await dataPlaneInList(replica, dataPlaneId);
      expect(found.activeVersion).toBe(full.version);
      return found;
    });
    expect(item).toMatchObject({ inSync: true, lastNack: null });
    dp.close();
  });

  it('records a Nack with its reasons and keeps the version the data plane runs', async () => {
    const dataPlaneId = uniqueId('nack');
    const dp = connectDataPlane(replica, { dataPlaneId });
    const first = await dp.nextSnapshot();
    dp.ack(first);

    await createBackend(replica);
    const rejected = await dp.nextSnapshot();
    dp.nack(rejected, ['routes[0].pathPattern: "/a/{id" is not a valid path pattern', 'backends: too many']);

    const item = await expectEventually(async () => {
      const found = await dataPlaneInList(replica, dataPlaneId);
      expect(found.lastNack).not.toBeNull();
      return found;
    });
    expect(item.lastNack).toEqual({
      version: rejected.version,
      reasons: ['routes[0].pathPattern: "/a/{id" is not a valid path pattern', 'backends: too many'],
      at: expect.any(String),
    });
    expect(item).toMatchObject({
      activeVersion: first.version,
      activeHash: first.hash,
      inSync: false,
      connected: true,
    });
    dp.close();
  });

  it('sends nothing on connect to a data plane that already runs the newest version, then sends the next one', async () => {
    const newest = await newestStoredSnapshot();
    const dataPlaneId = uniqueId('current');
    const dp = connectDataPlane(replica, { dataPlaneId, activeVersion: newest.version, activeHash: newest.hash });
    await expectEventually(async () =>
      expect(await dataPlaneInList(replica, dataPlaneId)).toMatchObject({ connected: true, inSync: true }),
    );

    await createBackend(replica);
    const pushed = await dp.nextSnapshot();
    expect(pushed.version).toBe(await latestVersion());
    expect(dp.received.map((s) => s.version)).toEqual([pushed.version]);
    dp.close();
  });

  it('skips intermediate versions while a push is unanswered, then sends only the newest', async () => {
    const dp = connectDataPlane(replica, { dataPlaneId: uniqueId('skip') });
    const first = await dp.nextSnapshot();

    for (let i = 0; i < 3; i++) await createBackend(replica);
    const newest = await latestVersion();
    await expectEventually(() => expect(replica.app.get(SnapshotFeed).current()?.version).toBe(newest));
    expect(dp.received).toHaveLength(1);

    dp.ack(first);
    const next = await dp.nextSnapshot();
    expect(next.version).toBe(newest);
    expect(dp.received.map((s) => s.version)).toEqual([first.version, newest]);
    dp.close();
  });

  it('does not push a snapshot whose schema the data plane does not understand, and the fleet view says why', async () => {
    const newest = await latestVersion();
    const dataPlaneId = uniqueId('old-schema');
    const dp = connectDataPlane(replica, { dataPlaneId, schemaVersion: 0 });

    const item = await expectEventually(async () => {
      const found = await dataPlaneInList(replica, dataPlaneId);
      expect(found.withheld).not.toBeNull();
      return found;
    });
    expect(item).toMatchObject({ schemaVersion: 0, connected: true, inSync: false, activeVersion: null });
    expect(item.withheld).toEqual({
      version: newest,
      reason: `snapshot ${newest} needs schema version 1; this data plane understands up to 0`,
      at: expect.any(String),
    });

    await createBackend(replica);
    const next = await latestVersion();
    await expectEventually(async () =>
      expect((await dataPlaneInList(replica, dataPlaneId)).withheld).toMatchObject({ version: next }),
    );
    expect(dp.received).toEqual([]);
    dp.close();
  });

  it('marks a data plane disconnected when its stream ends', async () => {
    const dataPlaneId = uniqueId('bye');
    const dp = connectDataPlane(replica, { dataPlaneId });
    dp.ack(await dp.nextSnapshot());
    await expectEventually(async () => expect((await dataPlaneInList(replica, dataPlaneId)).connected).toBe(true));

    dp.close();
    const item = await expectEventually(async () => {
      const found = await dataPlaneInList(replica, dataPlaneId);
      expect(found.connected).toBe(false);
      return found;
    });
    expect(item.lastAckAt).not.toBeNull();
  });

  it('rejects a stream whose first message is not Hello with INVALID_ARGUMENT', async () => {
    const dp = connectDataPlane(replica, null);
    dp.send({ ack: { version: 1, hash: 'x', nonce: 'n', applyMs: 1 } });
    const status = await dp.ended();
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/first message .* must be Hello/);

    const anonymous = connectDataPlane(replica, { dataPlaneId: '' });
    expect((await anonymous.ended()).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('catches up after its LISTEN connection is cut', async () => {
    const dp = connectDataPlane(replica, { dataPlaneId: uniqueId('relisten') });
    dp.ack(await dp.nextSnapshot());
    const [before] = await listenerPids();
    expect(before).toBeDefined();

    await sql.query('SELECT pg_terminate_backend($1)', [before]);
    await createBackend(replica);
    const pushed = await dp.nextSnapshot();
    expect(pushed.version).toBe(await latestVersion());
    await expectEventually(async () => {
      const pids = await listenerPids();
      expect(pids).toHaveLength(1);
      expect(pids[0]).not.toBe(before);
    });
    dp.close();
  });

  it('picks up a snapshot row announced with NOTIFY by any writer', async () => {
    const dp = connectDataPlane(replica, { dataPlaneId: uniqueId('notify') });
    const current = await dp.nextSnapshot();
    dp.ack(current);

    const stored = await newestStoredSnapshot();
    await sql.query('BEGIN');
    const { rows } = await sql.query<{ version: string }>("SELECT nextval('config_version_seq')::text AS version");
    const version = Number(rows[0]!.version);
    const snapshot = { ...stored, version, previousVersion: stored.version };
    await sql.query(
      `INSERT INTO config_snapshots (version, hash, previous_version, snapshot) VALUES ($1, $2, $3, $4)`,
      [version, snapshot.hash, stored.version, JSON.stringify(snapshot)],
    );
    await sql.query('SELECT pg_notify($1, $2)', [CONFIG_SNAPSHOT_CHANNEL, String(version)]);
    await sql.query('COMMIT');

    const pushed = await dp.nextSnapshot();
    expect(pushed).toMatchObject({ version, hash: stored.hash });
    dp.close();
  });
});

describe('registry', () => {
  it('refreshes last_seen_at of connected data planes while their streams stay silent', async () => {
    const discovery = new DiscoveryService(
      replica.app.get(DataPlaneRepository),
      replica.app.get(SnapshotFeed),
      'replica-heartbeat',
      { ...DEFAULT_FLEET_OPTIONS, heartbeatMs: 50 },
      { log: () => undefined, warn: () => undefined },
    );
    discovery.start();
    const sent: unknown[] = [];
    const session = discovery.open({ send: (message) => sent.push(message), fail: () => undefined });
    const dataPlaneId = uniqueId('heartbeat');
    session.receive({
      message: 'hello',
      hello: {
        dataPlaneId,
        hostname: 'h',
        buildVersion: 'b',
        schemaVersion: 1,
        activeVersion: 0,
        activeHash: '',
        features: [],
      },
    });
    try {
      const lastSeen = async () => {
        const { rows } = await sql.query<{ at: Date }>(
          'SELECT last_seen_at AS at FROM data_planes WHERE data_plane_id = $1',
          [dataPlaneId],
        );
        expect(rows).toHaveLength(1);
        return rows[0]!.at.getTime();
      };
      const first = await expectEventually(lastSeen);
      await expectEventually(async () => expect(await lastSeen()).toBeGreaterThan(first));
      expect(sent).toHaveLength(1);
    } finally {
      await discovery.stop();
    }
    expect((await dataPlaneInList(replica, dataPlaneId)).connected).toBe(false);
  });

  it('re-syncs a data plane that keeps reporting the same wrong hash once, not again on its next heartbeats; another wrong hash at once', async () => {
    const discovery = new DiscoveryService(
      replica.app.get(DataPlaneRepository),
      replica.app.get(SnapshotFeed),
      'replica-resync',
      DEFAULT_FLEET_OPTIONS,
      { log: () => undefined, warn: () => undefined },
    );
    discovery.start();
    const sent: ControlPlaneMessage[] = [];
    const session = discovery.open({ send: (message) => sent.push(message), fail: () => undefined });
    const snapshots = () => sent.flatMap((message) => (message.snapshot ? [message.snapshot] : []));
    try {
      session.receive({
        message: 'hello',
        hello: {
          dataPlaneId: uniqueId('resync'),
          hostname: 'h',
          buildVersion: 'b',
          schemaVersion: 1,
          activeVersion: 0,
          activeHash: '',
          features: [],
        },
      });
      const pushed = await expectEventually(() => {
        expect(snapshots()).toHaveLength(1);
        return snapshots()[0]!;
      });
      const version = Number(pushed.version);
      const wrong = { activeVersion: version, activeHash: 'e'.repeat(64) };
      session.receive({
        message: 'ack',
        ack: { version, hash: wrong.activeHash, nonce: String(pushed.nonce), applyMs: 1 },
      });
      expect(snapshots()).toHaveLength(2);
      expect(snapshots()[1]).toMatchObject({ version, hash: pushed.hash, encoding: SNAPSHOT_ENCODING });
      // Its answer to the re-sync reports the wrong hash again, and so do its heartbeats: no further re-sync yet.
      session.receive({
        message: 'ack',
        ack: { version, hash: wrong.activeHash, nonce: String(snapshots()[1]!.nonce), applyMs: 1 },
      });
      for (let beat = 0; beat < 5; beat++) session.receive({ message: 'heartbeat', heartbeat: wrong });
      expect(snapshots()).toHaveLength(2);
      // Back in sync, then diverged again (another hash): re-synced at once.
      session.receive({ message: 'heartbeat', heartbeat: { activeVersion: version, activeHash: String(pushed.hash) } });
      session.receive({ message: 'heartbeat', heartbeat: { activeVersion: version, activeHash: 'd'.repeat(64) } });
      expect(snapshots()).toHaveLength(3);
    } finally {
      await discovery.stop();
    }
  });

  it('counts its open streams in /metrics', async () => {
    const dp = connectDataPlane(replica, { dataPlaneId: uniqueId('metrics') });
    await dp.nextSnapshot();
    const text = await (await fetch(`${replica.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^gateway_discovery_streams [1-9]\d*$/m);
    dp.close();
  });
});

describe('fleet view', () => {
  it('requires a token and answers 404 in the error envelope for an unknown data plane', async () => {
    const anonymous = await replica.request('GET', `${API}/data-planes`, { as: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');

    const missing = await replica.request('GET', `${API}/data-planes/no-such-data-plane`, { as: 'Viewer' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 'NOT_FOUND',
      details: { entity: 'Data plane', id: 'no-such-data-plane' },
      traceId: expect.any(String),
      timestamp: expect.any(String),
    });
  });
});

describe('several control-plane replicas on one database', () => {
  it('each pushes a change committed once to its own data planes, and ends streams on shutdown', async () => {
    const other = await startReplica('replica-b');
    try {
      const onA = connectDataPlane(replica, { dataPlaneId: uniqueId('on-a') });
      const onB = connectDataPlane(other, { dataPlaneId: uniqueId('on-b') });
      onA.ack(await onA.nextSnapshot());
      onB.ack(await onB.nextSnapshot());

      await createBackend(replica);
      const version = await latestVersion();
      const [pushedA, pushedB] = await Promise.all([onA.nextSnapshot(), onB.nextSnapshot()]);
      expect(pushedA.version).toBe(version);
      expect(pushedB.version).toBe(version);
      expect(pushedB.hash).toBe(pushedA.hash);
      onA.ack(pushedA);
      onB.ack(pushedB);

      const seenFromA = await expectEventually(async () => {
        const a = await dataPlaneInList(replica, onA.id);
        const b = await dataPlaneInList(replica, onB.id);
        expect([a.inSync, b.inSync]).toEqual([true, true]);
        return { a, b };
      });
      expect(seenFromA.a.controlPlaneInstance).toBe('replica-a');
      expect(seenFromA.b.controlPlaneInstance).toBe('replica-b');

      await other.close();
      expect((await onB.ended()).code).toBe(grpc.status.UNAVAILABLE);
      expect((await dataPlaneInList(replica, onB.id)).connected).toBe(false);
      expect((await dataPlaneInList(replica, onA.id)).connected).toBe(true);
      onA.close();
    } finally {
      await other.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A control plane of the gateway on the shared database; its data-plane streams need no token. */
function startReplica(instanceId: string): Promise<TestApp> {
  return startTestApp({ CONTROL_PLANE_INSTANCE_ID: instanceId, DATA_PLANE_TOKENS: '' }, { database: db });
}

/** A data plane's side of the discovery stream: a real grpc-js client of `proto/`. */
interface TestDataPlane {
  id: string;
  received: Snapshot__Output[];
  /** Resolves with the next snapshot not yet returned by an earlier call. */
  nextSnapshot(): Promise<Snapshot__Output>;
  send(message: DataPlaneMessage): void;
  ack(snapshot: Snapshot__Output, applyMs?: number): void;
  nack(snapshot: Snapshot__Output, reasons: string[]): void;
  /** Resolves with the stream's final status. */
  ended(): Promise<grpc.StatusObject>;
  close(): void;
}

function connectDataPlane(
  target: TestApp,
  hello: {
    dataPlaneId: string;
    hostname?: string;
    buildVersion?: string;
    schemaVersion?: number;
    activeVersion?: number;
    activeHash?: string;
    features?: string[];
  } | null,
): TestDataPlane {
  const { ConfigDiscovery } = loadDiscoveryProto().hotswap.discovery.v1;
  const client: ConfigDiscoveryClient = new ConfigDiscovery(
    target.grpcTarget,
    grpc.credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  );
  const call = client.StreamConfig();
  const received: Snapshot__Output[] = [];
  let taken = 0;
  let status: grpc.StatusObject | undefined;
  call.on('data', (message: ControlPlaneMessage__Output) => {
    if (message.snapshot) received.push(message.snapshot);
  });
  call.on('error', () => undefined);
  call.on('status', (s: grpc.StatusObject) => {
    status = s;
  });
  if (hello) {
    call.write({
      hello: {
        hostname: 'test-host',
        buildVersion: 'test',
        schemaVersion: 1,
        activeVersion: 0,
        activeHash: '',
        ...hello,
      },
    });
  }
  const reply = (message: DataPlaneMessage) => {
    if (!call.writableEnded && !call.destroyed) call.write(message);
  };
  return {
    id: hello?.dataPlaneId ?? '',
    received,
    async nextSnapshot() {
      const snapshot = await expectEventually(() => {
        const next = received[taken];
        expect(next).toBeDefined();
        return next as Snapshot__Output;
      });
      taken++;
      return snapshot;
    },
    send: reply,
    ack: (snapshot, applyMs = 3) =>
      reply({ ack: { version: snapshot.version, hash: snapshot.hash, nonce: snapshot.nonce, applyMs } }),
    nack: (snapshot, reasons) =>
      reply({ nack: { version: snapshot.version, hash: snapshot.hash, nonce: snapshot.nonce, reasons } }),
    ended: () =>
      expectEventually(() => {
        expect(status).toBeDefined();
        return status as grpc.StatusObject;
      }),
    close() {
      call.cancel();
      client.close();
    },
  };
}

function uniqueId(prefix: string): string {
  return `${prefix}-${++seq}-${process.pid}`;
}

/** Changes the configuration through the REST API (one transaction: change, audit row, snapshot, NOTIFY). */
async function createBackend(target: TestApp): Promise<{ backendId: string }> {
  const n = ++seq;
  const response = await target.request('POST', `${API}/backends`, {
    body: { name: `fleet-backend-${n}`, url: `http://127.0.0.1:${20_000 + n}` },
  });
  expect(response.status).toBe(201);
  return response.body;
}

async function latestVersion(): Promise<number> {
  const { rows } = await sql.query<{ version: string }>('SELECT max(version)::text AS version FROM config_snapshots');
  return Number(rows[0]?.version);
}

async function newestStoredSnapshot(): Promise<ConfigSnapshot> {
  return storedSnapshot(sql);
}

/** A version's snapshot as the REST API serves it. */
async function snapshotOfVersion(version: number): Promise<ConfigSnapshot> {
  const response = await replica.request('GET', `${API}/config/versions/${version}`);
  expect(response.status).toBe(200);
  return response.body as ConfigSnapshot;
}

async function dataPlaneInList(target: TestApp, dataPlaneId: string, as: Role = 'Admin') {
  const response = await target.request('GET', `${API}/data-planes`, { as });
  expect(response.status).toBe(200);
  const item = response.body.items.find((i: { dataPlaneId: string }) => i.dataPlaneId === dataPlaneId);
  expect(item).toBeDefined();
  return item;
}

async function listenerPids(): Promise<number[]> {
  const { rows } = await sql.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
    [LISTENER_APPLICATION_NAME],
  );
  return rows.map((row) => row.pid);
}
