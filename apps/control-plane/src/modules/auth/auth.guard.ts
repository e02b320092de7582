import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../../common/errors/gateway-error';
import { decideAccess, type Principal } from './auth-policy';
import { setPrincipal } from './principal';
import { IS_PUBLIC_KEY } from './public.decorator';
import { ROLES_KEY } from './roles.decorator';
import type { Role } from './roles';
import { TokenService } from './token.service';

/**
 * The global guard of every REST handler: a valid bearer token is required except on `@Public()` handlers, and
 * its role must be allowed (`@Roles(...)`, else GET/HEAD for any role and other methods for Admin). Other
 * transports (gRPC) authenticate on their own.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenService) private readonly tokens: TokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets) ?? false;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const principal = this.authenticate(req, isPublic);
    const decision = decideAccess({ method: req.method, isPublic, roles, principal });
    if (decision.allowed) return true;
    if (decision.reason === 'unauthenticated') throw new UnauthorizedError();
    throw new ForbiddenError(`This operation requires one of the roles: ${decision.requiredRoles.join(', ')}`, {
      requiredRoles: decision.requiredRoles,
      role: principal?.role,
    });
  }

  private authenticate(req: Request, isPublic: boolean): Principal | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      if (isPublic) return undefined;
      throw new UnauthorizedError('The Authorization header must be "Bearer <token>"');
    }
    try {
      const principal = this.tokens.verify(match[1] as string);
      setPrincipal(req, principal);
      return principal;
    } catch (error) {
      if (isPublic) return undefined;
      throw error;
    }
  }
}
