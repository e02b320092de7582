export { expectEventually } from './expect-eventually';
export {
  startTestBackend,
  findFreePort,
  type TestBackend,
  type ReceivedRequest,
  type TestBackendHandler,
} from './http-backend';
export { aBackend, aRoute, aSnapshot } from './builders';
export { startProcess, type TestProcess } from './process';
export { createTestCertificates, type TestCertificates } from './test-certificates';
export { send, sendChunked, type HttpResult } from './http-client';
export { expectGatewayError } from './expect-gateway-error';
export {
  echo,
  requestUpgrade,
  startWebSocketEchoBackend,
  type UpgradeResult,
  type WebSocketEchoBackend,
} from './websocket-echo';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
export { startOtlpGrpcReceiver, type OtlpGrpcReceiver } from './otlp-grpc-receiver';
export { parsePrometheusText, scrapeMetrics, sumOfSamples, type PrometheusSample } from './prometheus-text';
export { seededRandom } from './seeded-random';
