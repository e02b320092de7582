export { AuthModule } from './auth.module';
export { Public, IS_PUBLIC_KEY } from './public.decorator';
export { Roles, ROLES_KEY } from './roles.decorator';
export { ROLES, isRole, type Role } from './roles';
export { TokenService } from './token.service';
export { CurrentActor, CurrentPrincipal, principalOf } from './principal';
export { decideAccess, defaultRolesFor, type Principal, type AccessDecision } from './auth-policy';
