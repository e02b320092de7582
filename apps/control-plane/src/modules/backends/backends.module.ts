import { Module } from '@nestjs/common';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { BackendsController } from './backends.controller';
import { BackendsService } from './backends.service';

@Module({
  imports: [SnapshotsModule],
  controllers: [BackendsController],
  providers: [BackendsService],
  exports: [BackendsService],
})
export class BackendsModule {}
