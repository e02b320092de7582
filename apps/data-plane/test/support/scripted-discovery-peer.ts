import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { SNAPSHOT_SCHEMA_VERSION } from '@hotswap/config-snapshot';
import {
  encodeSnapshotPayload,
  GRPC_SERVER_OPTIONS,
  loadDiscoveryProto,
  SNAPSHOT_ENCODING,
  type Ack__Output,
  type ControlPlaneMessage,
  type DataPlaneMessage__Output,
  type Hello__Output,
  type Nack__Output,
} from '@hotswap/proto';

type Stream = grpc.ServerDuplexStream<DataPlaneMessage__Output, ControlPlaneMessage>;

/** Fields of the Snapshot message that a script sets instead of deriving them from the snapshot it sends. */
export type SnapshotMessageOverrides = Partial<{
  version: number;
  hash: string;
  schemaVersion: number;
  encoding: string;
  payload: Buffer;
}>;

/**
 * The far end of a ConfigDiscovery stream that sends exactly what a test scripts, including messages the real
 * control plane never sends (an undecodable payload, an invalid snapshot, a newer schema, an older version after a
 * newer one), and records the data plane's Hello, Acks and Nacks. It has no behaviour of its own: it pushes nothing
 * on connect and keeps no state. It exists to test the data plane against malformed input from the network; the
 * normal flow is tested against the real control plane in e2e/.
 */
export class ScriptedDiscoveryPeer {
  readonly hellos: Hello__Output[] = [];
  readonly acks: Ack__Output[] = [];
  readonly nacks: Nack__Output[] = [];
  private readonly streams = new Set<Stream>();

  private constructor(
    private readonly server: grpc.Server,
    readonly target: string,
  ) {}

  static async start(): Promise<ScriptedDiscoveryPeer> {
    const server = new grpc.Server(GRPC_SERVER_OPTIONS);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const peer = new ScriptedDiscoveryPeer(server, `127.0.0.1:${port}`);
    server.addService(loadDiscoveryProto().hotswap.discovery.v1.ConfigDiscovery.service, {
      StreamConfig: (stream: Stream) => peer.onStream(stream),
    });
    return peer;
  }

  /**
   * Sends a Snapshot message to every open stream: `snapshot` (any JSON) encoded as the payload, announced with its
   * own version and hash unless `overrides` say otherwise. Returns the message's nonce.
   */
  send(snapshot: object, overrides: SnapshotMessageOverrides = {}): string {
    if (this.streams.size === 0) throw new Error('no data plane is connected: wait for its Hello first');
    const nonce = randomBytes(8).toString('hex');
    const identity = snapshot as { version?: unknown; hash?: unknown };
    const message: ControlPlaneMessage = {
      snapshot: {
        version: typeof identity.version === 'number' ? identity.version : 0,
        hash: typeof identity.hash === 'string' ? identity.hash : '',
        nonce,
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        encoding: SNAPSHOT_ENCODING,
        payload: encodeSnapshotPayload(snapshot),
        ...overrides,
      },
    };
    for (const stream of this.streams) stream.write(message);
    return nonce;
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    this.server.forceShutdown();
  }

  private onStream(stream: Stream): void {
    this.streams.add(stream);
    stream.on('data', (message: DataPlaneMessage__Output) => {
      if (message.hello) this.hellos.push(message.hello);
      if (message.ack) this.acks.push(message.ack);
      if (message.nack) this.nacks.push(message.nack);
    });
    stream.on('error', () => this.streams.delete(stream));
    stream.on('end', () => {
      this.streams.delete(stream);
      stream.end();
    });
  }
}
