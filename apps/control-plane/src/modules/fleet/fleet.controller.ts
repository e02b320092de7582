import { Controller, Get, Inject, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { dataPlaneIdSchema, IdParamPipe } from '../../common/http/id-param';
import { DATA_PLANE_EXAMPLE, DataPlaneDto, DataPlaneListDto } from './dto/data-plane.dto';
import { FleetService } from './fleet.service';

/** The fleet view over REST; readable by every role (the global guard's default for GET). */
@ApiTags('data-planes')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@Controller('data-planes')
export class FleetController {
  constructor(@Inject(FleetService) private readonly fleet: FleetService) {}

  @Get()
  @ApiOperation({ summary: 'Every known data plane: which config version it runs, when it last reported, why not' })
  @ApiOkResponse({
    type: DataPlaneListDto,
    example: {
      items: [
        DATA_PLANE_EXAMPLE,
        {
          ...DATA_PLANE_EXAMPLE,
          dataPlaneId: 'data-plane-old',
          hostname: 'gateway-data-plane-old',
          buildVersion: '0.0.9',
          activeVersion: 41,
          activeHash: '9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9',
          inSync: false,
          lastNack: {
            version: 42,
            reasons: ['routes[3].pathPattern: "/api/{id" is not a valid path pattern'],
            at: '2025-01-15T10:30:05.120Z',
          },
        },
      ],
      configVersion: 42,
    },
  })
  list(): Promise<DataPlaneListDto> {
    return this.fleet.list();
  }

  @Get(':dataPlaneId')
  @ApiOperation({ summary: 'One data plane' })
  @ApiParam({ name: 'dataPlaneId', example: 'data-plane-7f9c' })
  @ApiOkResponse({ type: DataPlaneDto, example: DATA_PLANE_EXAMPLE })
  @ApiNotFoundResponse({
    description: 'No data plane has this id',
    example: {
      error: {
        code: 'NOT_FOUND',
        message: 'Data plane "data-plane-7f9c" was not found',
        details: { entity: 'Data plane', id: 'data-plane-7f9c' },
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        timestamp: '2025-01-15T10:31:10.000Z',
      },
    },
  })
  get(
    @Param('dataPlaneId', new IdParamPipe('Data plane', dataPlaneIdSchema)) dataPlaneId: string,
  ): Promise<DataPlaneDto> {
    return this.fleet.get(dataPlaneId);
  }
}
