import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProtoGrpcType as DiscoveryProto } from './generated/discovery';
import type { ProtoGrpcType as ManagementProto } from './generated/management';
import type { ProtoGrpcType as TelemetryProto } from './generated/telemetry';

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The folder holding the `.proto` files: `HOTSWAP_PROTO_DIR`, else the repository's `proto/`. */
function protoRoot(): string {
  const candidates = [resolve(__dirname, '../../../proto'), resolve(__dirname, '../../../../proto')];
  const found = candidates.find((dir) => existsSync(resolve(dir, 'hotswap')));
  if (!found) throw new Error(`proto files not found (looked in ${candidates.join(', ')})`);
  return found;
}

let discovery: DiscoveryProto | undefined;

/** The config-discovery service package, loaded once from `proto/hotswap/discovery/v1/discovery.proto`. */
export function loadDiscoveryProto(): DiscoveryProto {
  if (!discovery) {
    const definition = protoLoader.loadSync('hotswap/discovery/v1/discovery.proto', {
      ...LOADER_OPTIONS,
      includeDirs: [protoRoot()],
    });
    discovery = grpc.loadPackageDefinition(definition) as unknown as DiscoveryProto;
  }
  return discovery;
}

let telemetry: TelemetryProto | undefined;

/** The telemetry service package, loaded once from `proto/hotswap/telemetry/v1/telemetry.proto`. */
export function loadTelemetryProto(): TelemetryProto {
  if (!telemetry) {
    const definition = protoLoader.loadSync('hotswap/telemetry/v1/telemetry.proto', {
      ...LOADER_OPTIONS,
      includeDirs: [protoRoot()],
    });
    telemetry = grpc.loadPackageDefinition(definition) as unknown as TelemetryProto;
  }
  return telemetry;
}

let management: ManagementProto | undefined;

/** The management API (routes, backends, deployments), loaded once from `proto/hotswap/management/v1/management.proto`. */
export function loadManagementProto(): ManagementProto {
  if (!management) {
    const definition = protoLoader.loadSync('hotswap/management/v1/management.proto', {
      ...LOADER_OPTIONS,
      includeDirs: [protoRoot()],
    });
    management = grpc.loadPackageDefinition(definition) as unknown as ManagementProto;
  }
  return management;
}

/**
 * Channel options both planes use: keepalive pings every 10 s (a hung peer is noticed within about 15 s),
 * messages up to 256 MiB (a snapshot of the guide's largest configuration).
 */
export const GRPC_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.max_pings_without_data': 0,
  'grpc.max_receive_message_length': 256 * 1024 * 1024,
  'grpc.max_send_message_length': 256 * 1024 * 1024,
};

/** Server-side options matching the clients' keepalive, so their pings are never refused as abuse. */
export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  ...GRPC_CHANNEL_OPTIONS,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
};
