// Original file: proto/hotswap/telemetry/v1/telemetry.proto

export const TrafficVariant = {
  TRAFFIC_VARIANT_STABLE: 'TRAFFIC_VARIANT_STABLE',
  TRAFFIC_VARIANT_CANARY: 'TRAFFIC_VARIANT_CANARY',
  TRAFFIC_VARIANT_PREVIEW: 'TRAFFIC_VARIANT_PREVIEW',
} as const;

export type TrafficVariant =
  | 'TRAFFIC_VARIANT_STABLE'
  | 0
  | 'TRAFFIC_VARIANT_CANARY'
  | 1
  | 'TRAFFIC_VARIANT_PREVIEW'
  | 2

export type TrafficVariant__Output = typeof TrafficVariant[keyof typeof TrafficVariant]
