import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { HealthService, type HealthReport } from './health.service';
import { RateLimited } from '../management-rate-limits/rate-limit-class';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @RateLimited('metricsAndHealth')
  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Health of the control plane (public): Degraded, with unavailableDependencies, when PostgreSQL or Redis does not answer',
  })
  @ApiOkResponse({
    description:
      'status, version, uptime, routesConfigured, backendsHealthy, backendsTotal, lastConfigUpdate, ' +
      'requestsPerSecond, activeConnections, database, redis, unavailableDependencies…',
  })
  check(): Promise<HealthReport> {
    return this.health.check();
  }
}
