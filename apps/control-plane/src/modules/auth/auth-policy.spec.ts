import { decideAccess, defaultRolesFor } from './auth-policy';

const admin = { sub: 'a', role: 'Admin' } as const;
const operator = { sub: 'o', role: 'Operator' } as const;
const viewer = { sub: 'v', role: 'Viewer' } as const;

describe('auth policy', () => {
  it('lets every role read and only Admin do anything else by default', () => {
    expect(defaultRolesFor('GET')).toEqual(['Admin', 'Operator', 'Viewer']);
    expect(defaultRolesFor('head')).toEqual(['Admin', 'Operator', 'Viewer']);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(defaultRolesFor(method)).toEqual(['Admin']);
  });

  it('allows public handlers without a principal', () => {
    expect(decideAccess({ method: 'POST', isPublic: true, roles: undefined, principal: undefined })).toEqual({
      allowed: true,
    });
  });

  it('asks for authentication when there is no principal', () => {
    expect(decideAccess({ method: 'GET', isPublic: false, roles: undefined, principal: undefined })).toEqual({
      allowed: false,
      reason: 'unauthenticated',
    });
  });

  it('forbids a Viewer to write and lets it read', () => {
    expect(decideAccess({ method: 'GET', isPublic: false, roles: undefined, principal: viewer }).allowed).toBe(true);
    expect(decideAccess({ method: 'DELETE', isPublic: false, roles: undefined, principal: viewer })).toEqual({
      allowed: false,
      reason: 'forbidden',
      requiredRoles: ['Admin'],
    });
  });

  it('lets @Roles override the default in both directions', () => {
    const roles = ['Admin', 'Operator'] as const;
    expect(decideAccess({ method: 'POST', isPublic: false, roles, principal: operator }).allowed).toBe(true);
    expect(decideAccess({ method: 'GET', isPublic: false, roles: ['Admin'], principal: viewer }).allowed).toBe(false);
    expect(decideAccess({ method: 'GET', isPublic: false, roles: ['Admin'], principal: admin }).allowed).toBe(true);
  });
});
