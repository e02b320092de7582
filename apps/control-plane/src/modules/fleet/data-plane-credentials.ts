import { createHash, timingSafeEqual } from 'node:crypto';
import { tokenOfBearerCredential } from '@hotswap/proto';

/**
 * The tokens data planes present on their streams (`authorization: Bearer <token>`). Compared in constant time:
 * each candidate is hashed to a fixed length and compared with every accepted token, without stopping at a match.
 * No tokens: every stream is accepted (only an explicit development or test environment configures that).
 */
export class DataPlaneCredentials {
  private readonly digests: readonly Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  /** Whether streams must present a token. */
  get isRequired(): boolean {
    return this.digests.length > 0;
  }

  /** Whether a stream presenting this `authorization` value (undefined: none) may be served. */
  accepts(authorization: string | undefined): boolean {
    if (!this.isRequired) return true;
    const token = tokenOfBearerCredential(authorization);
    if (token === undefined) return false;
    const candidate = digest(token);
    let isMatch = false;
    for (const accepted of this.digests) isMatch = timingSafeEqual(candidate, accepted) || isMatch;
    return isMatch;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
