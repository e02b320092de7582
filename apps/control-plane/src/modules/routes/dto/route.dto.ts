import { idSchema, LOAD_BALANCING_STRATEGIES, routeConfigSchema, type RouteConfig } from '@hotswap/config-snapshot';
import { z } from 'zod';
import { booleanQuerySchema, paginationQuerySchema } from '../../../common/http/pagination';
import { writableBackendSchema, type BackendView } from '../../backends/dto/backend.dto';

/** A route's backend given by id. */
export const backendRefSchema = z.strictObject({ backendId: idSchema });

/**
 * A route's backend: a reference `{"backendId": "..."}`, or a backend given inline (`{"name", "url", ...}`),
 * which reuses the backend with the same URL or creates one.
 */
export const routeBackendSchema = z.union([backendRefSchema, writableBackendSchema]);
export type RouteBackendInput = z.output<typeof routeBackendSchema>;

const routeFieldsSchema = routeConfigSchema.omit({ routeId: true, backendIds: true, trafficSplit: true });
const backendFields = {
  /** Read-only (an in-flight deployment's split, as GET shows it): accepted so a route read can be written back, and ignored. */
  trafficSplit: z.unknown().optional(),
  /** Backends by id. */
  backendIds: z.array(idSchema).max(1000).optional(),
  /** Backends by reference or inline. */
  backends: z.array(routeBackendSchema).max(1000).optional(),
};

/** POST /routes: a route config, `routeId` generated when absent, backends by id, reference or inline. */
export const createRouteBodySchema = routeFieldsSchema.extend({ routeId: idSchema.optional(), ...backendFields });
export type CreateRouteBody = z.output<typeof createRouteBodySchema>;

/** PUT/PATCH /routes/{id}: the fields to change; the result becomes the route's next version, applied at once. */
export const updateRouteBodySchema = routeFieldsSchema.partial().extend(backendFields);
export type UpdateRouteBody = Partial<z.output<typeof updateRouteBodySchema>>;

export const listRoutesQuerySchema = paginationQuerySchema.extend({
  isEnabled: booleanQuerySchema.optional(),
  strategy: z.enum(LOAD_BALANCING_STRATEGIES).optional(),
});
export type ListRoutesQuery = z.output<typeof listRoutesQuerySchema>;

/** A route as the API shows it: its live config, its backends expanded, and its version numbers. */
export interface RouteView extends RouteConfig {
  backends: BackendView[];
  liveVersionNumber: number;
  latestVersionNumber: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

/** One stored version of a route. */
export interface RouteVersionView {
  routeId: string;
  versionNumber: number;
  isLive: boolean;
  createdAt: string;
  createdBy: string | null;
  config: RouteConfig;
}

/** The guide's quick start. */
export const createRouteExample = {
  name: 'test-route',
  pathPattern: '/test/*',
  backends: [{ name: 'httpbin', url: 'http://localhost:8080' }],
  strategy: 'RoundRobin',
};

export const updateRouteExample = { timeoutSeconds: 10, methods: ['GET', 'POST'] };
