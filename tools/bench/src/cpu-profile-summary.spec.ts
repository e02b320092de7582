import { topSelfTime } from './cpu-profile-summary';

describe('topSelfTime', () => {
  const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9 });
  const profile = {
    startTime: 0,
    endTime: 1_000_000,
    nodes: [
      { id: 1, callFrame: frame('(idle)'), hitCount: 500 },
      { id: 2, callFrame: frame('parse', 'file:///x/validate.js'), hitCount: 30 },
      { id: 3, callFrame: frame('check', 'file:///x/validate.js'), hitCount: 20 },
      { id: 4, callFrame: frame('compile', 'file:///x/compiler.js'), hitCount: 40 },
      { id: 5, callFrame: frame('(garbage collector)'), hitCount: 10 },
    ],
  };

  it('shares the busy samples out by function, idle left out, largest first', () => {
    expect(topSelfTime(profile, 2)).toEqual([
      { name: 'compile compiler.js:10', share: 0.4 },
      { name: 'parse validate.js:10', share: 0.3 },
    ]);
  });

  it('adds them up by file', () => {
    expect(topSelfTime(profile, 3, true)).toEqual([
      { name: 'validate.js', share: 0.5 },
      { name: 'compiler.js', share: 0.4 },
      { name: '(garbage collector)', share: 0.1 },
    ]);
  });
});
