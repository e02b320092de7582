import jwt from 'jsonwebtoken';
import { GatewayError } from '../../common/errors/gateway-error';
import { TokenService } from './token.service';

const auth = { jwtSecret: 's'.repeat(40), issuer: 'iss', audience: 'aud', tokenTtlSeconds: 3600 };

describe('TokenService', () => {
  const tokens = new TokenService(auth);

  it('issues HS256 tokens with sub, role, iss, aud and exp that it verifies back', () => {
    const token = tokens.issue({ sub: 'alice', role: 'Operator', ttlSeconds: 60 });
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    expect(decoded?.payload).toMatchObject({ sub: 'alice', role: 'Operator', iss: 'iss', aud: 'aud' });
    const payload = decoded?.payload as jwt.JwtPayload;
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
    expect(tokens.verify(token)).toEqual({ sub: 'alice', role: 'Operator' });
  });

  it('rejects tokens of another issuer with UNAUTHORIZED', () => {
    const other = new TokenService({ ...auth, issuer: 'other' }).issue({ sub: 'a', role: 'Admin' });
    expect(() => tokens.verify(other)).toThrow(GatewayError);
    try {
      tokens.verify(other);
    } catch (error) {
      expect((error as GatewayError).code).toBe('UNAUTHORIZED');
    }
  });

  it('rejects a token without a subject', () => {
    const token = jwt.sign({ role: 'Admin' }, auth.jwtSecret, { issuer: 'iss', audience: 'aud', expiresIn: 60 });
    expect(() => tokens.verify(token)).toThrow('no subject');
  });
});
