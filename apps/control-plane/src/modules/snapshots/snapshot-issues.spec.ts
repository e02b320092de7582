import { validateSnapshotContent, globalSettingsSchema, type ValidationIssue } from '@hotswap/config-snapshot';
import { aBackend, aRoute } from '@hotswap/testing';
import { toRequestIssues } from './snapshot-issues';

function issuesOf(content: { routes: ReturnType<typeof aRoute>[]; backends: ReturnType<typeof aBackend>[] }) {
  const result = validateSnapshotContent({ schemaVersion: 1, settings: globalSettingsSchema.parse({}), ...content });
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('toRequestIssues', () => {
  it('names fields of the route being written as in its request body', () => {
    const backend = aBackend();
    const route = aRoute({ routeId: 'r-b', backendIds: [backend.backendId], strategy: 'HeaderBased' });
    const content = {
      routes: [aRoute({ routeId: 'r-a', backendIds: [backend.backendId] }), route],
      backends: [backend],
    };
    const issues = toRequestIssues(issuesOf(content), content, { kind: 'route', id: 'r-b' });
    expect(issues).toEqual([
      { field: 'strategyConfig.headerName', message: 'is required by HeaderBased' },
      { field: 'strategyConfig.defaultBackend', message: 'is required by HeaderBased' },
    ]);
  });

  it('reports a clash found on another route against the subject, naming the other route by id', () => {
    const backend = aBackend();
    const existing = aRoute({ routeId: 'r-z', pathPattern: '/x/*', backendIds: [backend.backendId] });
    const subject = aRoute({ routeId: 'r-a', pathPattern: '/x/*', backendIds: [backend.backendId] });
    // Sorted by id, the subject comes first, so the validator flags the existing route.
    const content = { routes: [subject, existing], backends: [backend] };
    const issues = toRequestIssues(issuesOf(content), content, { kind: 'route', id: 'r-a' });
    expect(issues).toEqual([
      {
        field: 'pathPattern',
        message: 'route "r-z" already matches the same host, path pattern, method and priority',
      },
    ]);
  });

  it('names issues of other entities by id rather than by index', () => {
    const issue: ValidationIssue = { path: 'routes[0].backendIds[0]', message: 'backend "b" does not exist' };
    const route = aRoute({ routeId: 'r-other', backendIds: ['b'] });
    expect(toRequestIssues([issue], { routes: [route], backends: [] }, { kind: 'backend', id: 'b' })).toEqual([
      { field: 'routes[r-other].backendIds[0]', message: 'backend "b" does not exist' },
    ]);
  });
});
