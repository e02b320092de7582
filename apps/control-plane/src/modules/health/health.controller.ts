import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { HealthService, type HealthReport } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Health of the control plane (public): Degraded when PostgreSQL does not answer' })
  @ApiOkResponse({
    description:
      'status, version, uptime, routesConfigured, backendsHealthy, backendsTotal, lastConfigUpdate, ' +
      'requestsPerSecond, activeConnections…',
  })
  check(): Promise<HealthReport> {
    return this.health.check();
  }
}
