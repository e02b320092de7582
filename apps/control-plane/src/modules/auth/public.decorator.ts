import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'hotswap:isPublic';

/** Marks a handler (or controller) as reachable without a bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
