import * as grpc from '@grpc/grpc-js';
import {
  GRPC_SERVER_OPTIONS,
  loadTelemetryProto,
  type TelemetryAck,
  type TelemetryReport__Output,
} from '@hotswap/proto';

type Stream = grpc.ServerDuplexStream<TelemetryReport__Output, TelemetryAck>;

/**
 * The far end of Telemetry.ReportTelemetry as a test scripts it: records every report, acknowledges each at once
 * or only when told, and ends streams on demand. It exists to drive the data plane's reporter through broken
 * streams and an unreachable control plane; the real control plane's side is tested in apps/control-plane/test and
 * end to end in e2e/.
 */
export class ScriptedTelemetryPeer {
  readonly reports: TelemetryReport__Output[] = [];
  /** Whether each report is acknowledged when it arrives. */
  isAcknowledging = true;
  private readonly streams = new Set<Stream>();

  private constructor(
    private readonly server: grpc.Server,
    readonly target: string,
  ) {}

  /** Listens on `port` (0: any free port). */
  static async start(port = 0): Promise<ScriptedTelemetryPeer> {
    const server = new grpc.Server(GRPC_SERVER_OPTIONS);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, value) =>
        error ? reject(error) : resolve(value),
      ),
    );
    const peer = new ScriptedTelemetryPeer(server, `127.0.0.1:${bound}`);
    server.addService(loadTelemetryProto().hotswap.telemetry.v1.Telemetry.service, {
      ReportTelemetry: (stream: Stream) => peer.onStream(stream),
    });
    return peer;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Acknowledges `sequence` on every open stream. */
  ack(sequence: number): void {
    for (const stream of this.streams) stream.write({ sequence });
  }

  /** Ends every open stream with UNAVAILABLE (as a control plane going away does). */
  endStreams(): void {
    for (const stream of this.streams) stream.emit('error', { code: grpc.status.UNAVAILABLE, details: 'scripted' });
    this.streams.clear();
  }

  async close(): Promise<void> {
    this.endStreams();
    this.server.forceShutdown();
  }

  private onStream(stream: Stream): void {
    this.streams.add(stream);
    stream.sendMetadata(new grpc.Metadata());
    stream.on('data', (report: TelemetryReport__Output) => {
      this.reports.push(report);
      if (this.isAcknowledging) stream.write({ sequence: report.sequence });
    });
    const forget = () => this.streams.delete(stream);
    stream.on('end', () => {
      forget();
      stream.end();
    });
    stream.on('cancelled', forget);
    stream.on('error', forget);
  }
}
