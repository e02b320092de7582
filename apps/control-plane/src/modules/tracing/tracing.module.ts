import { Global, Module } from '@nestjs/common';
import { startTracing } from '@hotswap/observability';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ControlPlaneTracer } from './control-plane-tracer';

/** Makes the ControlPlaneTracer injectable everywhere; its tracer provider is flushed and stopped on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: ControlPlaneTracer,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new ControlPlaneTracer(startTracing(config.tracing, { scope: 'hotswap-control-plane', activeContext: true })),
    },
  ],
  exports: [ControlPlaneTracer],
})
export class TracingModule {}
