import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthorizedError } from '../../common/errors/gateway-error';
import type { AppConfig } from '../../config/app-config';
import type { Principal } from './auth-policy';
import { isRole, type Role } from './roles';

/** Issues and verifies the management API's bearer tokens (HS256 only; claims sub, role, iss, aud, exp). */
export class TokenService {
  /** The secret as a key object, made once: given a string, jsonwebtoken first tries it as a PEM key, per call. */
  private readonly key: KeyObject;

  constructor(private readonly auth: AppConfig['auth']) {
    this.key = createSecretKey(Buffer.from(auth.jwtSecret, 'utf8'));
  }

  issue(claims: { sub: string; role: Role; ttlSeconds?: number }): string {
    return jwt.sign({ role: claims.role }, this.key, {
      algorithm: 'HS256',
      subject: claims.sub,
      issuer: this.auth.issuer,
      audience: this.auth.audience,
      expiresIn: claims.ttlSeconds ?? this.auth.tokenTtlSeconds,
    });
  }

  /** The principal of a valid token; throws UnauthorizedError saying why a token is not valid. */
  verify(token: string): Principal {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.auth.issuer,
        audience: this.auth.audience,
      });
    } catch (error) {
      const reason =
        error instanceof jwt.TokenExpiredError
          ? 'The bearer token has expired'
          : `The bearer token is not valid: ${(error as Error).message}`;
      throw new UnauthorizedError(reason);
    }
    if (typeof payload === 'string') throw new UnauthorizedError('The bearer token has no claims');
    if (typeof payload.exp !== 'number') throw new UnauthorizedError('The bearer token has no expiry (exp)');
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new UnauthorizedError('The bearer token has no subject (sub)');
    }
    const role: unknown = payload['role'];
    if (!isRole(role)) throw new UnauthorizedError('The bearer token has no known role (Admin, Operator, Viewer)');
    return { sub: payload.sub, role };
  }
}
