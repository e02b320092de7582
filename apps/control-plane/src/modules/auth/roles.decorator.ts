import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const ROLES_KEY = 'hotswap:roles';

/**
 * Replaces the default policy (GET/HEAD: any role; other methods: Admin) with the roles listed, on a handler or a
 * whole controller (the handler's wins).
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
