import { matchPathPattern, parsePathPattern, type ParsedPathPattern } from './path-pattern';

function pattern(text: string): ParsedPathPattern {
  const parsed = parsePathPattern(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('path patterns', () => {
  it('matches one segment with "*"', () => {
    expect(matchPathPattern(pattern('/api/*'), '/api/users')).toEqual({});
    expect(matchPathPattern(pattern('/api/*'), '/api/users/1')).toBeUndefined();
    expect(matchPathPattern(pattern('/api/*'), '/api')).toBeUndefined();
  });

  it('matches any depth with "**"', () => {
    expect(matchPathPattern(pattern('/api/**'), '/api/v1/users/123')).toEqual({});
    expect(matchPathPattern(pattern('/api/**'), '/api')).toEqual({});
    expect(matchPathPattern(pattern('/api/**'), '/apiary/x')).toBeUndefined();
  });

  it('captures "{param}" segments', () => {
    expect(matchPathPattern(pattern('/api/users/{id}'), '/api/users/123')).toEqual({ id: '123' });
    expect(matchPathPattern(pattern('/api/users/{id}/orders/{orderId}'), '/api/users/a%20b/orders/7')).toEqual({
      id: 'a b',
      orderId: '7',
    });
  });

  it('does not match another literal', () => {
    expect(matchPathPattern(pattern('/api/users/*'), '/api/products/123')).toBeUndefined();
  });

  it('computes the literal prefix that stripPrefix removes', () => {
    expect(pattern('/test/*').literalPrefix).toBe('/test');
    expect(pattern('/api/v1/**').literalPrefix).toBe('/api/v1');
    expect(pattern('/{tenant}/x').literalPrefix).toBe('/');
  });

  it.each([
    ['api/x', 'must start with "/"'],
    ['/a//b', 'empty segment'],
    ['/a/**/b', '"**" is allowed only as the last segment'],
    ['/a/{1x}', 'not a valid parameter'],
    ['/a/{id}/{id}', 'appears twice'],
    ['/a/b*c', 'not allowed'],
  ])('rejects %s', (text, reason) => {
    const parsed = parsePathPattern(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});
