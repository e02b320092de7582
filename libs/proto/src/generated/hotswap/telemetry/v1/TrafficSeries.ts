// Original file: proto/hotswap/telemetry/v1/telemetry.proto

import type { TrafficVariant as _hotswap_telemetry_v1_TrafficVariant, TrafficVariant__Output as _hotswap_telemetry_v1_TrafficVariant__Output } from '../../../hotswap/telemetry/v1/TrafficVariant';
import type { Long } from '@grpc/proto-loader';

export interface TrafficSeries {
  'routeId'?: (string);
  'backendId'?: (string);
  'variant'?: (_hotswap_telemetry_v1_TrafficVariant);
  'requests'?: (number | string | Long);
  'serverErrors'?: (number | string | Long);
  'connectErrors'?: (number | string | Long);
  'timeouts'?: (number | string | Long);
  'latencyCounts'?: (number | string | Long)[];
  'latencySumMs'?: (number | string);
  'isOverflow'?: (boolean);
}

export interface TrafficSeries__Output {
  'routeId': (string);
  'backendId': (string);
  'variant': (_hotswap_telemetry_v1_TrafficVariant__Output);
  'requests': (number);
  'serverErrors': (number);
  'connectErrors': (number);
  'timeouts': (number);
  'latencyCounts': (number)[];
  'latencySumMs': (number);
  'isOverflow': (boolean);
}
