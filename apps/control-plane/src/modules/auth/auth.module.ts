import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuthGuard } from './auth.guard';
import { TokenService } from './token.service';

/** JWT authentication and role checks for every REST handler (a global guard); exports TokenService. */
@Global()
@Module({
  providers: [
    { provide: TokenService, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new TokenService(config.auth) },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService],
})
export class AuthModule {}
