import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { GATEWAY_METRICS_EXAMPLE, metricsQuerySchema, type MetricsQuery } from './dto/metrics.dto';
import { TelemetryService, type GatewayMetrics } from './telemetry.service';
import { RateLimited } from '../management-rate-limits/rate-limit-class';

/** The JSON summary of the data planes' telemetry; readable by every role. */
@ApiTags('metrics')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@Controller('metrics')
export class TelemetryController {
  constructor(@Inject(TelemetryService) private readonly telemetry: TelemetryService) {}

  @RateLimited('metricsAndHealth')
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The gateway over the last window (default 5 min), across every data plane',
    description:
      'Totals (requests, errors of every class, `errorRate` 0-1, `requestsPerSecond`), latency percentiles in ms ' +
      '(request start to response end), backends by health, circuit breakers by state (per data plane and backend, ' +
      "from each data plane's newest report), client connections. Prometheus text is at `/metrics`.",
  })
  @ApiQuery({ name: 'window', required: false, example: '5m', description: 'A duration from 10s to 15m' })
  @ApiOkResponse({ description: 'The summary', example: GATEWAY_METRICS_EXAMPLE })
  @ApiBadRequestResponse({ description: 'VALIDATION_ERROR: query.window' })
  metrics(
    @Query(new ZodValidationPipe(metricsQuerySchema, { root: 'query' })) query: MetricsQuery,
  ): Promise<GatewayMetrics> {
    return this.telemetry.gatewayMetrics(query.window);
  }
}
