import { Module } from '@nestjs/common';
import { BackendsModule } from '../backends/backends.module';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { RoutesController } from './routes.controller';
import { RoutesService } from './routes.service';

@Module({
  imports: [SnapshotsModule, BackendsModule],
  controllers: [RoutesController],
  providers: [RoutesService],
  exports: [RoutesService],
})
export class RoutesModule {}
