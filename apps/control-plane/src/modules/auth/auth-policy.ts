import { ROLES, type Role } from './roles';

/** The caller, as its verified token says. */
export interface Principal {
  sub: string;
  role: Role;
}

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; reason: 'unauthenticated' }
  | { allowed: false; reason: 'forbidden'; requiredRoles: readonly Role[] };

const READ_METHODS = new Set(['GET', 'HEAD']);

/** The roles allowed by default: reads are open to every role, every other method needs Admin. */
export function defaultRolesFor(method: string): readonly Role[] {
  return READ_METHODS.has(method.toUpperCase()) ? ROLES : ['Admin'];
}

/** Decides whether a request may run: public handlers always; others need a principal with an allowed role. */
export function decideAccess(request: {
  method: string;
  isPublic: boolean;
  roles: readonly Role[] | undefined;
  principal: Principal | undefined;
}): AccessDecision {
  if (request.isPublic) return { allowed: true };
  if (!request.principal) return { allowed: false, reason: 'unauthenticated' };
  const requiredRoles = request.roles ?? defaultRolesFor(request.method);
  if (requiredRoles.includes(request.principal.role)) return { allowed: true };
  return { allowed: false, reason: 'forbidden', requiredRoles };
}
