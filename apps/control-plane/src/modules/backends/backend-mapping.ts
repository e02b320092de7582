import type { BackendConfig } from '@hotswap/config-snapshot';
import type { BackendView } from './dto/backend.dto';
import type { BackendEntity } from './backend.entity';

export function backendEntityToConfig(entity: BackendEntity): BackendConfig {
  return {
    backendId: entity.backendId,
    name: entity.name,
    url: entity.url,
    weight: entity.weight,
    isEnabled: entity.isEnabled,
    healthStatus: entity.healthStatus as BackendConfig['healthStatus'],
    healthCheck: entity.healthCheck ?? null,
    connectionPool: entity.connectionPool ?? null,
    timeouts: entity.timeouts ?? null,
  };
}

/** Copies a backend config onto an entity's columns. */
export function applyBackendConfig(entity: BackendEntity, config: BackendConfig): BackendEntity {
  entity.backendId = config.backendId;
  entity.name = config.name;
  entity.url = config.url;
  entity.weight = config.weight;
  entity.isEnabled = config.isEnabled;
  entity.healthStatus = config.healthStatus;
  entity.healthCheck = config.healthCheck;
  entity.connectionPool = config.connectionPool;
  entity.timeouts = config.timeouts;
  return entity;
}

export function toBackendView(entity: BackendEntity): BackendView {
  return {
    ...backendEntityToConfig(entity),
    lastHealthCheck: entity.lastHealthCheck?.toISOString() ?? null,
    activeConnections: entity.activeConnections,
    totalRequests: Number(entity.totalRequests),
    failedRequests: Number(entity.failedRequests),
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
