import { DataPlaneCredentials } from './data-plane-credentials';

const OLD = 'old-data-plane-token-0123456789abcdef';
const NEW = 'new-data-plane-token-0123456789abcdef';

describe('DataPlaneCredentials', () => {
  it('accepts any of its tokens as a Bearer credential, so a token can be rotated', () => {
    const credentials = new DataPlaneCredentials([OLD, NEW]);
    expect(credentials.isRequired).toBe(true);
    expect(credentials.accepts(`Bearer ${OLD}`)).toBe(true);
    expect(credentials.accepts(`bearer ${NEW}`)).toBe(true);
  });

  it('refuses a missing, malformed, other-scheme, shortened or extended token', () => {
    const credentials = new DataPlaneCredentials([NEW]);
    for (const value of [undefined, '', NEW, `Basic ${NEW}`, `Bearer ${NEW.slice(1)}`, `Bearer ${NEW}x`, 'Bearer ']) {
      expect([value, credentials.accepts(value)]).toEqual([value, false]);
    }
  });

  it('accepts every stream when it has no tokens (development and test only)', () => {
    const credentials = new DataPlaneCredentials([]);
    expect(credentials.isRequired).toBe(false);
    expect(credentials.accepts(undefined)).toBe(true);
  });
});
