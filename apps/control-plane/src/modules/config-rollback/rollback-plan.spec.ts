import { backendConfigSchema, routeConfigSchema, type BackendConfig, type RouteConfig } from '@hotswap/config-snapshot';
import { planRollback } from './rollback-plan';

const route = (routeId: string, fields: Partial<RouteConfig> = {}): RouteConfig =>
  routeConfigSchema.parse({ routeId, name: routeId, pathPattern: `/${routeId}/*`, backendIds: ['b1'], ...fields });
const backend = (backendId: string, fields: Partial<BackendConfig> = {}): BackendConfig =>
  backendConfigSchema.parse({ backendId, name: backendId, url: `http://127.0.0.1:9000/${backendId}`, ...fields });

describe('planRollback', () => {
  it('writes changed and missing routes, deletes extra ones, and leaves equal ones alone', () => {
    const plan = planRollback(
      {
        routes: [
          { config: route('same'), hasActiveDeployment: true },
          { config: route('changed', { timeoutSeconds: 5 }), hasActiveDeployment: false },
          { config: route('extra'), hasActiveDeployment: false },
        ],
        backends: [backend('b1')],
      },
      { routes: [route('same'), route('changed'), route('gone')], backends: [backend('b1')] },
    );
    expect(plan.routesToWrite.map((entry) => [entry.config.routeId, entry.exists])).toEqual([
      ['changed', true],
      ['gone', false],
    ]);
    expect(plan.routesToDelete).toEqual(['extra']);
    expect(plan.blockedRouteIds).toEqual([]);
  });

  it('ignores a deployment split and backend health, which are not configuration', () => {
    const split = { deploymentId: 'd1' } as unknown as RouteConfig['trafficSplit'];
    const plan = planRollback(
      {
        routes: [{ config: route('r'), hasActiveDeployment: false }],
        backends: [backend('b1', { healthStatus: 'Unhealthy' })],
      },
      { routes: [{ ...route('r'), trafficSplit: split }], backends: [backend('b1', { healthStatus: 'Healthy' })] },
    );
    expect(plan.routesToWrite).toEqual([]);
    expect(plan.backendsToWrite).toEqual([]);
  });

  it('restores changed and deleted backends and deletes added ones', () => {
    const plan = planRollback(
      { routes: [], backends: [backend('b1', { weight: 5 }), backend('added')] },
      { routes: [], backends: [backend('b1'), backend('deleted')] },
    );
    expect(plan.backendsToWrite.map((entry) => [entry.config.backendId, entry.exists])).toEqual([
      ['b1', true],
      ['deleted', false],
    ]);
    expect(plan.backendsToDelete).toEqual(['added']);
  });

  it('names the routes it would change while a deployment holds them', () => {
    const plan = planRollback(
      {
        routes: [
          { config: route('held', { timeoutSeconds: 9 }), hasActiveDeployment: true },
          { config: route('held-extra'), hasActiveDeployment: true },
        ],
        backends: [backend('b1')],
      },
      { routes: [route('held')], backends: [backend('b1')] },
    );
    expect(plan.blockedRouteIds).toEqual(['held', 'held-extra']);
  });
});
