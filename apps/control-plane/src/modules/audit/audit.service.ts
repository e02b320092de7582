import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/http/actor';
import { AuditLogEntity } from './audit-log.entity';

/** What one audit row says: the event, the entity it touched, and anything worth keeping about it. */
export interface AuditEntry {
  eventType: string;
  entityType: string;
  entityId: string;
  details?: Record<string, unknown>;
}

export interface AuditLogView {
  id: string;
  eventType: string;
  entityType: string | null;
  entityId: string | null;
  userId: string | null;
  details: unknown;
  traceId: string | null;
  createdAt: string;
}

export interface AuditQuery {
  entityType?: string | undefined;
  entityId?: string | undefined;
  eventType?: string | undefined;
  userId?: string | undefined;
  limit: number;
  offset: number;
}

/** Writes audit rows inside the caller's transaction, and answers audit queries. */
@Injectable()
export class AuditService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Inserts one audit row with the caller's manager (so inside its transaction); returns its id. */
  async record(manager: EntityManager, entry: AuditEntry, actor: Actor): Promise<string> {
    const row = manager.create(AuditLogEntity, {
      eventType: entry.eventType,
      entityType: entry.entityType,
      entityId: entry.entityId,
      userId: actor.userId,
      details: entry.details ?? null,
      traceId: actor.traceId,
    });
    const saved = await manager.save(AuditLogEntity, row);
    return String(saved.id);
  }

  async query(query: AuditQuery): Promise<{ items: AuditLogView[]; total: number; limit: number; offset: number }> {
    const where: Partial<Record<'entityType' | 'entityId' | 'eventType' | 'userId', string>> = {};
    if (query.entityType) where.entityType = query.entityType;
    if (query.entityId) where.entityId = query.entityId;
    if (query.eventType) where.eventType = query.eventType;
    if (query.userId) where.userId = query.userId;
    const [rows, total] = await this.dataSource.getRepository(AuditLogEntity).findAndCount({
      where,
      order: { id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items: rows.map(toAuditView), total, limit: query.limit, offset: query.offset };
  }
}

export function toAuditView(row: AuditLogEntity): AuditLogView {
  return {
    id: String(row.id),
    eventType: row.eventType,
    entityType: row.entityType,
    entityId: row.entityId,
    userId: row.userId,
    details: row.details ?? null,
    traceId: row.traceId,
    createdAt: row.createdAt.toISOString(),
  };
}
