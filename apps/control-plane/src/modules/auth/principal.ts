import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '../../common/http/actor';
import { traceIdOf } from '../../common/http/trace-id';
import type { Principal } from './auth-policy';

const principals = new WeakMap<object, Principal>();

export function setPrincipal(req: object, principal: Principal): void {
  principals.set(req, principal);
}

/** The verified caller of a request, if it presented a valid token. */
export function principalOf(req: object): Principal | undefined {
  return principals.get(req);
}

/** Handler parameter: the verified caller (undefined on public handlers called without a token). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    principalOf(context.switchToHttp().getRequest<Request>()),
);

/** Handler parameter: the Actor of a change (token subject and trace id), for the audit log. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const req = context.switchToHttp().getRequest<Request>();
  return { userId: principalOf(req)?.sub ?? null, traceId: traceIdOf(req) };
});
