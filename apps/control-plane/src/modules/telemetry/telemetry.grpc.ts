import * as grpc from '@grpc/grpc-js';
import {
  loadTelemetryProto,
  type TelemetryAck,
  type TelemetryHandlers,
  type TelemetryReport__Output,
} from '@hotswap/proto';
import type { GatewayError } from '../../common/errors/gateway-error';
import { GRPC_STATUS, type DiscoveryGrpcServer } from '../fleet/discovery.grpc';
import type { TelemetryService } from './telemetry.service';

type TelemetryCall = grpc.ServerDuplexStream<TelemetryReport__Output, TelemetryAck>;

/**
 * Serves `Telemetry.ReportTelemetry` on the discovery gRPC server's port: a thin adapter from calls to
 * TelemetryService sessions. Headers go out as soon as a call is served: the data plane writes its queued reports
 * only then.
 */
export function registerTelemetryService(server: DiscoveryGrpcServer, telemetry: TelemetryService): void {
  const handlers: TelemetryHandlers = {
    ReportTelemetry: (call) => {
      if (server.admitDataPlane(call)) serve(call, telemetry);
    },
  };
  server.addService(loadTelemetryProto().hotswap.telemetry.v1.Telemetry.service, handlers);
}

function serve(call: TelemetryCall, telemetry: TelemetryService): void {
  let isEnded = false;
  const session = telemetry.open({
    ack: (sequence) => {
      if (!isEnded && !call.cancelled) call.write({ sequence });
    },
    fail: (error: GatewayError) => {
      if (isEnded) return;
      isEnded = true;
      call.emit('error', { code: GRPC_STATUS[error.code], details: error.message });
    },
    end: () => {
      if (isEnded) return;
      isEnded = true;
      call.end();
    },
  });
  call.sendMetadata(new grpc.Metadata());
  call.on('data', (report: TelemetryReport__Output) => session.receive(report));
  call.on('end', () => {
    session.close();
    if (!isEnded) {
      isEnded = true;
      call.end();
    }
  });
  const close = () => session.close();
  call.on('cancelled', close);
  call.on('error', close);
  call.on('close', close);
}
