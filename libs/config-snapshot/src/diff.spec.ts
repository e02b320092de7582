import { aBackend, aRoute, aSnapshot } from '@hotswap/testing';
import { diffSnapshots } from './diff';

describe('diffSnapshots', () => {
  it('lists added, removed and changed routes and backends field by field', () => {
    const b1 = aBackend({ backendId: 'b1', weight: 100 });
    const b2 = aBackend({ backendId: 'b2' });
    const kept = aRoute({ routeId: 'kept', backendIds: ['b1'], timeoutSeconds: 30 });
    const gone = aRoute({ routeId: 'gone', backendIds: ['b1'] });
    const added = aRoute({ routeId: 'added', backendIds: ['b2'] });
    const before = aSnapshot({ routes: [kept, gone], backends: [b1] }, { version: 1 });
    const after = aSnapshot(
      { routes: [{ ...kept, timeoutSeconds: 10 }, added], backends: [{ ...b1, weight: 50 }, b2] },
      { version: 2 },
    );
    expect(diffSnapshots(before, after)).toEqual({
      fromVersion: 1,
      toVersion: 2,
      routes: {
        added: ['added'],
        removed: ['gone'],
        changed: [{ id: 'kept', changes: [{ field: 'timeoutSeconds', before: 30, after: 10 }] }],
      },
      backends: {
        added: ['b2'],
        removed: [],
        changed: [{ id: 'b1', changes: [{ field: 'weight', before: 100, after: 50 }] }],
      },
      settings: [],
    });
  });
});
