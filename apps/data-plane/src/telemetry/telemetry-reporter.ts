import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  loadTelemetryProto,
  type TelemetryAck__Output,
  type TelemetryClient,
  type TelemetryReport,
} from '@hotswap/proto';
import type { ControlPlaneAuth } from '../config/data-plane-config';
import type { Logger } from '../observability/logger';
import { controlPlaneCallMetadata, controlPlaneChannelCredentials } from '../snapshot/control-plane-channel';
import { RECONNECT_BACKOFF, reconnectDelayMs } from '../snapshot/snapshot-stream-client';
import { buildWindowReport, mergeWindowReports, toWireReport, type WindowReport } from './telemetry-report';
import type { TelemetrySample } from './telemetry-sample';

type TelemetryStream = grpc.ClientDuplexStream<TelemetryReport, TelemetryAck__Output>;

/** Reports kept while the control plane has not acknowledged them (a minute at the default interval). */
export const MAX_PENDING_REPORTS = 12;

/** How long `stop` waits for the control plane to acknowledge the last reports. */
const STOP_ACK_TIMEOUT_MS = 2_000;

export interface TelemetryReporterOptions {
  /** `host:port` of the control plane's gRPC port; undefined: windows are drained and dropped (standalone). */
  readonly url: string | undefined;
  /** The token and TLS settings of the stream (the config stream's). */
  readonly auth: ControlPlaneAuth;
  readonly dataPlaneId: string;
  readonly intervalMs: number;
  readonly maxSeries: number;
  /** Ends the window in progress: what was counted in it (this process's collector, or a cluster's workers'). */
  readonly sample: () => Promise<TelemetrySample>;
  readonly logger: Logger;
  readonly maxPendingReports?: number;
}

interface PendingReport {
  report: WindowReport;
  /** Written on some stream: the control plane may have stored it, so it is never merged into another one. */
  wasSent: boolean;
}

/**
 * The data plane's side of Telemetry.ReportTelemetry. Every `intervalMs` it takes a sample (the window's counts and
 * the data plane's state), builds a bounded report of it and queues it; the queue is written to the stream once the control plane has answered the stream's headers,
 * and a report leaves the queue when the control plane acknowledges its sequence (it is stored then). A stream that
 * ends is reopened with the snapshot stream's jittered backoff and the queue is written again, oldest first. The queue
 * holds at most `maxPendingReports`: beyond that the two oldest reports never sent are merged into one, or, when
 * every report was sent already, the oldest is dropped (counted in the log). Serving never waits for any of this.
 */
export class TelemetryReporter {
  /** Sequences restart with each process: the control plane tells boots apart by this id. */
  readonly bootId = randomUUID();
  private readonly client: TelemetryClient | undefined;
  private readonly maxPending: number;
  private pending: PendingReport[] = [];
  private sequence = 0;
  private call: TelemetryStream | undefined;
  private isCallReady = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private ackWaiters: Array<() => void> = [];
  private droppedReports = 0;
  private isStopped = false;

  constructor(private readonly options: TelemetryReporterOptions) {
    this.maxPending = options.maxPendingReports ?? MAX_PENDING_REPORTS;
    if (options.url !== undefined) {
      const { Telemetry } = loadTelemetryProto().hotswap.telemetry.v1;
      this.client = new Telemetry(options.url, controlPlaneChannelCredentials(options.auth), {
        ...GRPC_CHANNEL_OPTIONS,
        'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF.initialMs,
        'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF.maxMs,
      });
    }
  }

  /** Reports waiting for the control plane's acknowledgement. */
  get pendingCount(): number {
    return this.pending.length;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.open();
  }

  /** Drains the window in progress now and queues its report (what the timer does). */
  tick(): Promise<void> {
    this.ticking = this.ticking
      .then(() => this.report())
      .catch((error: unknown) => {
        this.options.logger.warn('telemetry report failed', { error });
      });
    return this.ticking;
  }

  /** Reports the last window, waits briefly for the control plane to acknowledge what is queued, then closes. */
  async stop(): Promise<void> {
    if (this.isStopped) return;
    clearInterval(this.timer);
    if (this.client !== undefined) {
      await this.tick();
      if (this.pending.length > 0 && this.isCallReady) await this.whenAcknowledged(STOP_ACK_TIMEOUT_MS);
    }
    this.isStopped = true;
    clearTimeout(this.reconnectTimer);
    this.call?.cancel();
    this.call = undefined;
    this.client?.close();
  }

  private async report(): Promise<void> {
    const { window, state } = await this.options.sample();
    if (this.client === undefined || this.isStopped) return;
    const report = buildWindowReport(window, { ...state, sequence: ++this.sequence }, this.options.maxSeries);
    this.pending.push({ report, wasSent: false });
    this.bound();
    if (this.isCallReady) this.write(this.pending[this.pending.length - 1] as PendingReport);
  }

  /** Keeps the queue within its bound: merges the two oldest never-sent reports, else drops the oldest. */
  private bound(): void {
    while (this.pending.length > this.maxPending) {
      const index = this.pending.findIndex(
        (entry, at) => !entry.wasSent && this.pending[at + 1] !== undefined && !this.pending[at + 1]?.wasSent,
      );
      if (index === -1) {
        this.pending.shift();
        if (this.droppedReports++ % 100 === 0) {
          this.options.logger.warn('telemetry reports dropped: the control plane has not acknowledged them', {
            dropped: this.droppedReports,
          });
        }
        continue;
      }
      const [older, newer] = [this.pending[index] as PendingReport, this.pending[index + 1] as PendingReport];
      this.pending.splice(index, 2, {
        report: mergeWindowReports(older.report, newer.report, this.options.maxSeries),
        wasSent: false,
      });
    }
  }

  private open(): void {
    const client = this.client;
    if (client === undefined || this.isStopped) return;
    const call = client.ReportTelemetry(controlPlaneCallMetadata(this.options.auth));
    this.call = call;
    this.isCallReady = false;
    // The control plane answers the headers as soon as it serves the call: only then is the queue written, so that
    // reports made while it is unreachable stay in the (bounded) queue rather than in the call's buffer.
    call.on('metadata', () => {
      if (call !== this.call) return;
      this.attempt = 0;
      this.isCallReady = true;
      this.options.logger.info(`telemetry stream open to control plane ${this.options.url}`);
      for (const entry of this.pending) this.write(entry);
    });
    call.on('data', (ack: TelemetryAck__Output) => this.onAck(ack.sequence));
    call.on('error', () => {
      // Reported again by 'status', which handles every ending.
    });
    call.on('status', (status: grpc.StatusObject) => this.onStreamEnd(call, status));
  }

  private write(entry: PendingReport): void {
    const call = this.call;
    if (call === undefined || call.writableEnded || call.destroyed) return;
    entry.wasSent = true;
    call.write(toWireReport(entry.report, { dataPlaneId: this.options.dataPlaneId, bootId: this.bootId }));
  }

  private onAck(sequence: number): void {
    this.pending = this.pending.filter((entry) => entry.report.sequence > sequence);
    if (this.pending.length === 0 && this.ackWaiters.length > 0) {
      const waiters = this.ackWaiters;
      this.ackWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private onStreamEnd(call: TelemetryStream, status: grpc.StatusObject): void {
    if (call !== this.call) return;
    this.call = undefined;
    this.isCallReady = false;
    if (this.isStopped) return;
    const delay = reconnectDelayMs(this.attempt++);
    this.options.logger.debug('telemetry stream ended; reopening', {
      code: grpc.status[status.code],
      details: status.details,
      delayMs: delay,
    });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  private whenAcknowledged(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.ackWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
