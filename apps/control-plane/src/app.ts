import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module';
import { sendError } from './common/errors/gateway-exception.filter';
import { API_PREFIX } from './common/http/api-prefix';
import { traceIdMiddleware } from './common/http/trace-id';
import { createControlPlaneLogger, useJsonLogger } from './common/logging/json-logger';
import { requestLogMiddleware } from './common/logging/request-log';
import type { AppConfig } from './config/app-config';
import { HttpMetrics } from './modules/metrics/http-metrics';
import { servePrometheusMetrics } from './modules/metrics/prometheus-route';
import { ControlPlaneTracer } from './modules/tracing/control-plane-tracer';
import { httpTracingMiddleware } from './modules/tracing/http-tracing';

export { API_PREFIX };
/** Swagger UI at `/swagger`, the OpenAPI document at `/swagger-json`. */
export const SWAGGER_PATH = 'swagger';
export const OPENAPI_JSON_PATH = 'swagger-json';
/** Largest JSON body accepted by the management API. */
const BODY_LIMIT = '10mb';

/**
 * Builds the control plane's Nest application, ready to `listen`: trace ids, HTTP metrics, JSON body parsing
 * (malformed JSON answered with the error envelope), the API prefix and Swagger. Migrations are the caller's.
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const logger = createControlPlaneLogger(config);
  useJsonLogger(logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger,
  });
  const tracer = app.get(ControlPlaneTracer);
  if (tracer.isEnabled) app.use(httpTracingMiddleware(tracer));
  app.use(traceIdMiddleware);
  app.use(requestLogMiddleware(logger.pino));
  app.use(app.get(HttpMetrics).middleware);
  app.useBodyParser('json', { limit: BODY_LIMIT });
  const errorLogger = new Logger('Errors');
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) =>
    sendError(error, req, res, errorLogger),
  );
  servePrometheusMetrics(app);
  app.setGlobalPrefix(API_PREFIX);
  setUpSwagger(app);
  return app;
}

function setUpSwagger(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('HotSwap Gateway control plane')
      .setDescription(
        'Routes, backends and versioned config snapshots. Every call needs `Authorization: Bearer <JWT>` ' +
          '(GET: any role; writes: Admin) except `GET /api/v1/gateway/health`. Errors: ' +
          '`{"error": {"code", "message", "details", "traceId", "timestamp"}}`.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup(SWAGGER_PATH, app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH });
}
