import { parsePathPattern, type ParsedPathPattern } from '@hotswap/config-snapshot';
import { createPathRewriter, KEEP_PATH } from './path-rewrite';

function pattern(text: string): ParsedPathPattern {
  const parsed = parsePathPattern(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function rewrite(patternText: string, path: string, options: Partial<Parameters<typeof createPathRewriter>[1]> = {}) {
  return createPathRewriter(pattern(patternText), { stripPrefix: true, rewritePath: null, ...options }).rewrite(path);
}

describe('path rewriting', () => {
  it.each([
    ['/test/*', '/test/get', '/get'],
    ['/test/**', '/test', '/'],
    ['/test/**', '/test/', '/'],
    ['/test/**', '/test/a/b/', '/a/b/'],
    ['/api/v1/**', '/api/v1/users/1', '/users/1'],
    ['/api/users/{id}', '/api/users/42', '/42'],
    ['/exact', '/exact', '/'],
    ['/test/*', '//test//get', '//get'],
  ])('strips the literal prefix of %s from %s → %s', (patternText, path, expected) => {
    expect(rewrite(patternText, path)).toBe(expected);
  });

  it('keeps the path when stripPrefix is off or the pattern starts with a parameter', () => {
    expect(rewrite('/test/*', '/test/get', { stripPrefix: false })).toBe('/test/get');
    expect(createPathRewriter(pattern('/{tenant}/x'), { stripPrefix: true, rewritePath: null })).toBe(KEEP_PATH);
    expect(rewrite('/**', '/a/b')).toBe('/a/b');
  });

  it('applies a rewritePath regex to the path the client sent, instead of stripping', () => {
    const rewritePath = { pattern: '^/api/v1/(.*)$', replacement: '/v2/$1' };
    expect(rewrite('/api/v1/**', '/api/v1/users/1', { rewritePath })).toBe('/v2/users/1');
    expect(rewrite('/api/**', '/api/x', { rewritePath: { pattern: '^/api', replacement: '' } })).toBe('/x');
    expect(rewrite('/api/**', '/api', { rewritePath: { pattern: '^/api', replacement: '' } })).toBe('/');
  });

  it('throws when the rewrite pattern does not compile', () => {
    expect(() => rewrite('/a/**', '/a', { rewritePath: { pattern: '(', replacement: '' } })).toThrow(SyntaxError);
  });
});
