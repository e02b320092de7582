import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { LATENCY_BUCKET_BOUNDS_VERSION } from '@hotswap/config-snapshot';
import {
  DATA_PLANE_AUTH_METADATA_KEY,
  DISCOVERY_FEATURES_METADATA_KEY,
  GRPC_CHANNEL_OPTIONS,
  loadDiscoveryProto,
  loadTelemetryProto,
  type ConfigDiscoveryClient,
  type ControlPlaneMessage__Output,
  type DataPlaneMessage,
  type Snapshot__Output,
  type TelemetryAck__Output,
  type TelemetryClient,
} from '@hotswap/proto';
import { createTestCertificates, expectEventually } from '@hotswap/testing';
import { DiscoveryGrpcServer } from '../src/modules/fleet/discovery.grpc';
import { fullSnapshotOf } from './support/pushed-snapshot';
import { API, TEST_DATA_PLANE_TOKEN, startTestApp, type TestApp } from './support/test-app';

const WRONG_TOKEN = 'wrong-data-plane-token-0123456789abcdef';
let seq = 0;

/** How a test client reaches the control plane's gRPC port. */
interface Connection {
  readonly target: string;
  readonly credentials: grpc.ChannelCredentials;
  /** The `authorization` metadata value; undefined: none sent. */
  readonly authorization: string | undefined;
}

describe('data-plane streams with a token configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const connection = (authorization: string | undefined): Connection => ({
    target: grpcTarget(t),
    credentials: grpc.credentials.createInsecure(),
    authorization,
  });

  it('serves the config stream and the telemetry stream to a data plane presenting the token', async () => {
    const dp = connectDataPlane(connection(`Bearer ${TEST_DATA_PLANE_TOKEN}`), uniqueId('good'));
    const snapshot = await dp.nextSnapshot();
    expect(snapshot.version).toBeGreaterThan(0);
    expect(dp.headers()?.get(DISCOVERY_FEATURES_METADATA_KEY)).toEqual(['heartbeat']);
    dp.ack(snapshot);
    await expectEventually(async () => expect((await fleetItem(t, dp.id))?.state).toBe('InSync'));

    const reporter = connectReporter(connection(`Bearer ${TEST_DATA_PLANE_TOKEN}`), dp.id);
    reporter.send(1);
    await reporter.acknowledged(1);
    expect(await telemetryRows(t, dp.id)).toBe(1);
    reporter.close();
    dp.close();
  });

  it.each([
    ['no token', undefined],
    ['a wrong token', `Bearer ${WRONG_TOKEN}`],
    ['the token in another scheme', `Basic ${TEST_DATA_PLANE_TOKEN}`],
    ['a prefix of the token', `Bearer ${TEST_DATA_PLANE_TOKEN.slice(0, -1)}`],
  ])(
    'refuses %s with UNAUTHENTICATED: no snapshot, no telemetry stored, not in the fleet view',
    async (_case, authorization) => {
      const dp = connectDataPlane(connection(authorization), uniqueId('refused'));
      const status = await dp.ended();
      expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(status.details).not.toContain(TEST_DATA_PLANE_TOKEN);
      expect(status.details).not.toContain(WRONG_TOKEN);
      expect(dp.messages).toEqual([]);

      const reporter = connectReporter(connection(authorization), dp.id);
      reporter.send(1);
      expect((await reporter.ended()).code).toBe(grpc.status.UNAUTHENTICATED);
      expect(reporter.acks).toEqual([]);
      expect(await telemetryRows(t, dp.id)).toBe(0);

      const list = await t.request('GET', `${API}/data-planes`);
      expect(list.status).toBe(200);
      expect(list.body.items.map((item: { dataPlaneId: string }) => item.dataPlaneId)).not.toContain(dp.id);
      expect(list.text).not.toContain(TEST_DATA_PLANE_TOKEN);
      reporter.close();
      dp.close();
    },
  );
});

describe('hash divergence', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows a data plane whose heartbeat reports another hash as Diverged, re-sends the snapshot, and its Ack ends it', async () => {
    const dp = connectDataPlane(
      { target: grpcTarget(t), credentials: grpc.credentials.createInsecure(), authorization: bearer() },
      uniqueId('diverged'),
    );
    const sent = await dp.nextSnapshot();
    dp.ack(sent);
    await expectEventually(async () => expect((await fleetItem(t, dp.id))?.state).toBe('InSync'));

    const wrongHash = 'f'.repeat(64);
    dp.send({ heartbeat: { activeVersion: sent.version, activeHash: wrongHash } });
    const resent = await dp.nextSnapshot();
    expect(resent).toMatchObject({ version: sent.version, hash: sent.hash });
    expect(resent.nonce).not.toBe(sent.nonce);
    const content = fullSnapshotOf(resent);
    expect(content.hash).toBe(sent.hash);

    const diverged = await fleetItem(t, dp.id);
    expect(diverged).toMatchObject({
      state: 'Diverged',
      inSync: false,
      activeVersion: sent.version,
      activeHash: wrongHash,
      divergence: {
        version: sent.version,
        expectedHash: sent.hash,
        reportedHash: wrongHash,
        reason: expect.stringContaining('the snapshot was sent again'),
        resolvedAt: null,
      },
    });

    dp.ack(resent);
    const repaired = await expectEventually(async () => {
      const item = await fleetItem(t, dp.id);
      expect(item?.state).toBe('InSync');
      return item;
    });
    expect(repaired).toMatchObject({
      inSync: true,
      activeHash: sent.hash,
      divergence: { resolvedAt: expect.any(String) },
    });
    dp.close();
  });

  it('sends nothing for a heartbeat that reports the right hash', async () => {
    const dp = connectDataPlane(
      { target: grpcTarget(t), credentials: grpc.credentials.createInsecure(), authorization: bearer() },
      uniqueId('steady'),
    );
    const sent = await dp.nextSnapshot();
    dp.ack(sent);
    dp.send({ heartbeat: { activeVersion: sent.version, activeHash: sent.hash } });

    // The next change is a barrier: whatever the heartbeat caused was sent before its snapshot.
    const created = await t.request('POST', `${API}/backends`, {
      body: { name: uniqueId('backend'), url: 'http://127.0.0.1:20999' },
    });
    expect(created.status).toBe(201);
    const next = await dp.nextSnapshot();
    expect(next.version).toBeGreaterThan(sent.version);
    expect(dp.snapshots.map((s) => s.version)).toEqual([sent.version, next.version]);
    expect((await fleetItem(t, dp.id))?.divergence).toBeNull();
    dp.close();
  });
});

describe('mutual TLS on the gRPC port', () => {
  let t: TestApp;
  let dir: string;
  let pems: Record<'ca' | 'clientCert' | 'clientKey' | 'otherCert' | 'otherKey', Buffer>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotswap-mtls-'));
    const files = createTestCertificates(dir);
    pems = {
      ca: readFileSync(files.caCert),
      clientCert: readFileSync(files.clientCert),
      clientKey: readFileSync(files.clientKey),
      otherCert: readFileSync(files.strangerCert),
      otherKey: readFileSync(files.strangerKey),
    };
    t = await startTestApp({
      GRPC_TLS_CERT_FILE: files.serverCert,
      GRPC_TLS_KEY_FILE: files.serverKey,
      GRPC_TLS_CLIENT_CA_FILE: files.caCert,
    });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a data plane with a certificate signed by the client CA and the token', async () => {
    const dp = connectDataPlane(
      {
        target: grpcTarget(t),
        credentials: grpc.credentials.createSsl(pems.ca, pems.clientKey, pems.clientCert),
        authorization: bearer(),
      },
      uniqueId('mtls'),
    );
    const snapshot = await dp.nextSnapshot();
    dp.ack(snapshot);
    await expectEventually(async () => expect((await fleetItem(t, dp.id))?.connected).toBe(true));
    dp.close();
  });

  it.each([
    ['no client certificate', () => grpc.credentials.createSsl(pems.ca)],
    ['a certificate of another CA', () => grpc.credentials.createSsl(pems.ca, pems.otherKey, pems.otherCert)],
    ['plaintext', () => grpc.credentials.createInsecure()],
  ])(
    'refuses a client with %s, even with the token: nothing sent, not in the fleet view',
    async (_case, credentials) => {
      const dp = connectDataPlane(
        { target: grpcTarget(t), credentials: credentials(), authorization: bearer() },
        uniqueId('no-cert'),
      );
      const status = await dp.ended();
      expect(status.code).toBe(grpc.status.UNAVAILABLE);
      expect(dp.messages).toEqual([]);
      const list = await t.request('GET', `${API}/data-planes`);
      expect(list.body.items.map((item: { dataPlaneId: string }) => item.dataPlaneId)).not.toContain(dp.id);
      dp.close();
    },
  );

  it('still refuses a client with the right certificate but no token', async () => {
    const dp = connectDataPlane(
      {
        target: grpcTarget(t),
        credentials: grpc.credentials.createSsl(pems.ca, pems.clientKey, pems.clientCert),
        authorization: undefined,
      },
      uniqueId('cert-no-token'),
    );
    expect((await dp.ended()).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(dp.messages).toEqual([]);
    dp.close();
  });
});

// ---------------------------------------------------------------------------------------------------------------

function bearer(): string {
  return `Bearer ${TEST_DATA_PLANE_TOKEN}`;
}

function grpcTarget(t: TestApp): string {
  return `127.0.0.1:${t.app.get(DiscoveryGrpcServer).port}`;
}

function uniqueId(prefix: string): string {
  return `${prefix}-${++seq}-${process.pid}`;
}

function metadataOf(connection: Connection): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (connection.authorization !== undefined) metadata.set(DATA_PLANE_AUTH_METADATA_KEY, connection.authorization);
  return metadata;
}

// Asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function fleetItem(t: TestApp, dataPlaneId: string): Promise<any> {
  const response = await t.request('GET', `${API}/data-planes`);
  expect(response.status).toBe(200);
  return response.body.items.find((item: { dataPlaneId: string }) => item.dataPlaneId === dataPlaneId);
}

async function telemetryRows(t: TestApp, dataPlaneId: string): Promise<number> {
  const { rows } = await t.sql.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM telemetry_data_planes WHERE data_plane_id = $1',
    [dataPlaneId],
  );
  return Number(rows[0]?.n);
}

/** A data plane's side of the discovery stream: a real grpc-js client that says Hello and records what it gets. */
function connectDataPlane(connection: Connection, dataPlaneId: string) {
  const { ConfigDiscovery } = loadDiscoveryProto().hotswap.discovery.v1;
  const client: ConfigDiscoveryClient = new ConfigDiscovery(
    connection.target,
    connection.credentials,
    GRPC_CHANNEL_OPTIONS,
  );
  const call = client.StreamConfig(metadataOf(connection));
  const messages: ControlPlaneMessage__Output[] = [];
  const snapshots: Snapshot__Output[] = [];
  let taken = 0;
  let status: grpc.StatusObject | undefined;
  let headers: grpc.Metadata | undefined;
  call.on('metadata', (metadata: grpc.Metadata) => {
    headers = metadata;
  });
  call.on('data', (message: ControlPlaneMessage__Output) => {
    messages.push(message);
    if (message.snapshot) snapshots.push(message.snapshot);
  });
  call.on('error', () => undefined);
  call.on('status', (s: grpc.StatusObject) => {
    status = s;
  });
  const send = (message: DataPlaneMessage) => {
    if (!call.writableEnded && !call.destroyed) call.write(message);
  };
  send({
    hello: {
      dataPlaneId,
      hostname: 'test-host',
      buildVersion: 'test',
      schemaVersion: 1,
      activeVersion: 0,
      activeHash: '',
    },
  });
  return {
    id: dataPlaneId,
    messages,
    snapshots,
    send,
    headers: () => headers,
    async nextSnapshot(): Promise<Snapshot__Output> {
      const snapshot = await expectEventually(() => {
        const next = snapshots[taken];
        expect(next).toBeDefined();
        return next as Snapshot__Output;
      });
      taken++;
      return snapshot;
    },
    ack(snapshot: Snapshot__Output): void {
      send({ ack: { version: snapshot.version, hash: snapshot.hash, nonce: snapshot.nonce, applyMs: 1 } });
    },
    ended: () =>
      expectEventually(() => {
        expect(status).toBeDefined();
        return status as grpc.StatusObject;
      }),
    close(): void {
      call.cancel();
      client.close();
    },
  };
}

/** A data plane's side of the telemetry stream, sending minimal reports. */
function connectReporter(connection: Connection, dataPlaneId: string) {
  const { Telemetry } = loadTelemetryProto().hotswap.telemetry.v1;
  const client: TelemetryClient = new Telemetry(connection.target, connection.credentials, GRPC_CHANNEL_OPTIONS);
  const call = client.ReportTelemetry(metadataOf(connection));
  const acks: number[] = [];
  let status: grpc.StatusObject | undefined;
  call.on('data', (ack: TelemetryAck__Output) => acks.push(ack.sequence));
  call.on('error', () => undefined);
  call.on('status', (s: grpc.StatusObject) => {
    status = s;
  });
  const bootId = `boot-${dataPlaneId}`;
  return {
    acks,
    send(sequence: number): void {
      const end = Date.now();
      if (call.writableEnded || call.destroyed) return;
      call.write({
        dataPlaneId,
        bootId,
        sequence,
        windowStartMs: end - 5_000,
        windowEndMs: end,
        configVersion: 1,
        latencyBoundsVersion: LATENCY_BUCKET_BOUNDS_VERSION,
        breakers: { closed: 0, open: 0, halfOpen: 0 },
        series: [],
      });
    },
    acknowledged: (sequence: number) =>
      expectEventually(() => expect(Math.max(0, ...acks)).toBeGreaterThanOrEqual(sequence)),
    ended: () =>
      expectEventually(() => {
        expect(status).toBeDefined();
        return status as grpc.StatusObject;
      }),
    close(): void {
      call.cancel();
      client.close();
    },
  };
}
