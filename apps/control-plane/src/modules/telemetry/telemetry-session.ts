import type { TelemetryReport__Output } from '@hotswap/proto';
import type { GatewayError } from '../../common/errors/gateway-error';

/** The transport side of one telemetry stream. */
export interface TelemetryStream {
  /** Tells the data plane that its reports up to `sequence` are stored. */
  ack(sequence: number): void;
  /** Ends the stream with an error. */
  fail(error: GatewayError): void;
  /** Ends the stream normally (shutdown: the data plane reconnects, to this replica or another). */
  end(): void;
}

/** What a session hands its reports to. */
export interface TelemetryReceiver {
  receive(session: TelemetrySession, report: TelemetryReport__Output): Promise<void>;
  closed(session: TelemetrySession): void;
}

/** One data plane's telemetry stream: its reports are taken one at a time, in order. */
export class TelemetrySession {
  private queue: Promise<void> = Promise.resolve();
  private isClosedValue = false;
  /** The highest sequence acknowledged on this stream. */
  private acknowledged = 0;

  constructor(
    private readonly stream: TelemetryStream,
    private readonly receiver: TelemetryReceiver,
    private readonly onError: (error: unknown) => void,
  ) {}

  get isClosed(): boolean {
    return this.isClosedValue;
  }

  receive(report: TelemetryReport__Output): void {
    if (this.isClosedValue) return;
    this.queue = this.queue.then(() => this.receiver.receive(this, report)).catch(this.onError);
  }

  /** Acknowledges every report up to `sequence` (never going back). */
  ack(sequence: number): void {
    if (this.isClosedValue || sequence <= this.acknowledged) return;
    this.acknowledged = sequence;
    this.stream.ack(sequence);
  }

  fail(error: GatewayError): void {
    if (this.isClosedValue) return;
    this.close();
    this.stream.fail(error);
  }

  /** Ends the stream (shutdown). */
  end(): void {
    if (this.isClosedValue) return;
    this.close();
    this.stream.end();
  }

  /** The stream ended from the other side. */
  close(): void {
    if (this.isClosedValue) return;
    this.isClosedValue = true;
    this.receiver.closed(this);
  }
}
