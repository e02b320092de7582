import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { SNAPSHOT_SCHEMA_VERSION, type ConfigSnapshot } from '@hotswap/config-snapshot';
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

export interface PushOptions {
  /** Overrides of the Snapshot message (a broken payload, an unknown encoding, a newer schema…). */
  message?: Partial<{ version: number; hash: string; schemaVersion: number; encoding: string; payload: Buffer }>;
}

/**
 * The control plane's side of ConfigDiscovery, reduced to the contract: a real gRPC server on 127.0.0.1 that records
 * what data planes say and pushes the snapshots a test gives it (the newest one to every stream that connects).
 */
export class StubControlPlane {
  readonly hellos: Hello__Output[] = [];
  readonly acks: Ack__Output[] = [];
  readonly nacks: Nack__Output[] = [];
  private readonly streams = new Set<Stream>();
  private latest: ControlPlaneMessage | undefined;

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  static async start(port = 0): Promise<StubControlPlane> {
    const server = new grpc.Server(GRPC_SERVER_OPTIONS);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
        error ? reject(error) : resolve(actual),
      ),
    );
    const stub = new StubControlPlane(server, bound);
    server.addService(loadDiscoveryProto().hotswap.discovery.v1.ConfigDiscovery.service, {
      StreamConfig: (stream: Stream) => stub.onStream(stream),
    });
    return stub;
  }

  /** Pushes a snapshot to every open stream and keeps it for streams that connect later. Returns its nonce. */
  push(snapshot: ConfigSnapshot | Record<string, unknown>, options: PushOptions = {}): string {
    const nonce = randomBytes(8).toString('hex');
    const identity = snapshot as { version?: number; hash?: string };
    this.latest = {
      snapshot: {
        version: identity.version ?? 0,
        hash: identity.hash ?? '',
        nonce,
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        encoding: SNAPSHOT_ENCODING,
        payload: encodeSnapshotPayload(snapshot),
        ...options.message,
      },
    };
    for (const stream of this.streams) stream.write(this.latest);
    return nonce;
  }

  /** Ends every open stream with UNAVAILABLE, as a control plane going away would. */
  dropStreams(): void {
    for (const stream of this.streams) {
      // grpc-js ends a server stream with the status of an 'error' emitted on it.
      stream.emit('error', Object.assign(new Error('going away'), { code: grpc.status.UNAVAILABLE }));
    }
    this.streams.clear();
  }

  async close(): Promise<void> {
    this.dropStreams();
    this.server.forceShutdown();
  }

  private onStream(stream: Stream): void {
    this.streams.add(stream);
    stream.on('data', (message: DataPlaneMessage__Output) => {
      if (message.hello) {
        this.hellos.push(message.hello);
        const latest = this.latest?.snapshot;
        if (latest && (latest.version !== message.hello.activeVersion || latest.hash !== message.hello.activeHash)) {
          stream.write(this.latest!);
        }
      }
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
