import { randomUUID } from 'node:crypto';

/** A new id such as `route-1a2b3c4d`: the prefix and the first 8 hex digits of a random UUID. */
export function newId(prefix: 'route' | 'backend' | 'deploy'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
