import { compileHeaderTemplate, renderHeaderTemplate } from './header-template';

describe('header templates', () => {
  it('keeps a value without variables as one literal', () => {
    const template = compileHeaderTemplate('plain $ {not} ${unknown}');
    expect(template.literal).toBe('plain $ {not} ${unknown}');
    expect(renderHeaderTemplate(template, 'trace', 12)).toBe('plain $ {not} ${unknown}');
  });

  it('fills ${requestId} and ${latencyMs} wherever they appear, as often as they appear', () => {
    const template = compileHeaderTemplate('${requestId}/${latencyMs}ms/${requestId}');
    expect(template.parts).toEqual(['', '/', 'ms/', '']);
    expect(renderHeaderTemplate(template, 'abc', 42)).toBe('abc/42ms/abc');
  });
});
