import { backendConfigSchema, HEALTH_STATUSES, idSchema, type BackendConfig } from '@hotswap/config-snapshot';
import { z } from 'zod';
import { booleanQuerySchema, paginationQuerySchema } from '../../../common/http/pagination';

/** The fields of a backend a client may write: the snapshot schema's, less what health checks own. */
export const writableBackendSchema = backendConfigSchema.omit({ backendId: true, healthStatus: true });

/** POST /backends: a backend config; `backendId` is generated when absent. */
export const createBackendBodySchema = writableBackendSchema.extend({ backendId: idSchema.optional() });
export type CreateBackendBody = z.output<typeof createBackendBodySchema>;

/** PUT/PATCH /backends/{id}: any subset of the writable fields (`{"isEnabled": false}` drains it). */
export const updateBackendBodySchema = writableBackendSchema.partial();
export type UpdateBackendBody = Partial<z.output<typeof writableBackendSchema>>;

export const listBackendsQuerySchema = paginationQuerySchema.extend({
  isEnabled: booleanQuerySchema.optional(),
  healthStatus: z.enum(HEALTH_STATUSES).optional(),
});
export type ListBackendsQuery = z.output<typeof listBackendsQuerySchema>;

/** A backend as the API shows it: its snapshot config plus what the control plane knows of it. */
export interface BackendView extends BackendConfig {
  lastHealthCheck: string | null;
  activeConnections: number;
  totalRequests: number;
  failedRequests: number;
  createdAt: string;
  updatedAt: string;
}

export const createBackendExample = {
  name: 'httpbin',
  url: 'http://localhost:8080',
  weight: 100,
  healthCheck: { type: 'HTTP', endpoint: '/status/200', intervalMs: '5s', timeoutMs: '3s' },
};
