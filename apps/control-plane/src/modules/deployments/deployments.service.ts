import { routeConfigSchema, routeVariantSchema, type RouteConfig } from '@hotswap/config-snapshot';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, MoreThan, type EntityManager } from 'typeorm';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../../common/errors/gateway-error';
import { SYSTEM_ACTOR, type Actor } from '../../common/http/actor';
import type { Page } from '../../common/http/pagination';
import { parsePatch, toFieldIssues } from '../../common/http/zod-validation';
import { newId } from '../../common/ids';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { mayDecide, requiresApproval, type ApprovalPolicy } from '../approvals/approval-policy';
import { applyRouteConfig } from '../routes/route-mapping';
import { RouteVersionEntity } from '../routes/route-version.entity';
import { RouteEntity } from '../routes/route.entity';
import { ConfigChangeService } from '../snapshots/config-change.service';
import { ControlPlaneTracer } from '../tracing/control-plane-tracer';
import { findActiveDeployment } from './active-deployment';
import { analyze, DEFAULT_THRESHOLDS, type AnalysisResult } from './canary-analysis';
import { DEPLOYMENT_JOB_SCHEDULER, type DeploymentJob, type DeploymentJobScheduler } from './deployment-job.scheduler';
import { parsePhases, type DeploymentStrategyName, type Phase } from './deployment-plan';
import { changedMatchingFields, MATCHING_FIELDS, trafficSplitFor } from './deployment-rollout';
import { isActive, transition, type DeploymentEvent, type DeploymentState } from './deployment-state';
import { DeploymentTransitionEntity } from './deployment-transition.entity';
import { DeploymentEntity } from './deployment.entity';
import type {
  CreateDeploymentBody,
  DeploymentMetricsView,
  DeploymentTransitionView,
  DeploymentView,
  ListDeploymentsQuery,
} from './dto/deployment.dto';
import { VARIANT_METRICS_SOURCE, type VariantMetricsSource } from './variant-metrics.source';

/** A job found the deployment moved on (another replica, a redelivery, a person): nothing to do. */
class StaleJob extends Error {}

const NO_TRAFFIC = { requestCount: 0, errorRate: 0, p50: 0, p95: 0, p99: 0 };

/**
 * Deployments: the REST operations and the engine that drives them. Every transition locks the deployment row
 * (SELECT ... FOR UPDATE), runs the state machine, and writes the new state, its history row, its audit row, the
 * route's traffic split and the next config snapshot in one transaction (ConfigChangeService). Phase advances and
 * analyses are scheduled jobs naming the tick they expect, so redelivered jobs and replicas never double-advance.
 */
@Injectable()
export class DeploymentsService {
  private readonly logger = new Logger(DeploymentsService.name);
  private readonly policy: ApprovalPolicy;
  private readonly intervalMs: number;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConfigChangeService) private readonly changes: ConfigChangeService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DEPLOYMENT_JOB_SCHEDULER) private readonly scheduler: DeploymentJobScheduler,
    @Inject(VARIANT_METRICS_SOURCE) private readonly metricsSource: VariantMetricsSource,
    @Inject(ControlPlaneTracer) private readonly tracer: ControlPlaneTracer,
  ) {
    this.policy = { environments: config.deployments.approvalEnvironments, ttlMs: config.deployments.approvalTtlMs };
    this.intervalMs = config.deployments.analysisIntervalMs;
  }

  async create(body: CreateDeploymentBody, actor: Actor): Promise<DeploymentView> {
    const plan = parsePhases(body.strategy, body.phases);
    const issues: FieldIssue[] = plan.ok ? [] : [...plan.issues];
    if (body.configVersion === undefined && body.config === undefined) {
      issues.push({ field: 'configVersion', message: 'is required (or the new version inline in config)' });
    }
    if (body.configVersion !== undefined && body.config !== undefined) {
      issues.push({ field: 'config', message: 'give configVersion or config, not both' });
    }
    for (const field of MATCHING_FIELDS) {
      if (body.config && field in body.config) {
        issues.push({ field: `config.${field}`, message: 'a deployment may not change how the route matches' });
      }
    }
    if (issues.length > 0 || !plan.ok) throw new ValidationError(issues);
    const needsApproval = requiresApproval(this.policy, body.environment);
    const now = new Date();

    const { result } = await this.changes.apply(actor, async (manager) => {
      const route = await manager
        .getRepository(RouteEntity)
        .findOne({ where: { routeId: body.routeId }, lock: { mode: 'pessimistic_write' } });
      if (!route) throw new NotFoundError('Route', body.routeId);
      const active = await findActiveDeployment(manager, body.routeId);
      if (active) {
        throw new ConflictError(`Route "${body.routeId}" already has an active deployment`, {
          deploymentId: active.deploymentId,
          status: active.status,
        });
      }
      const live = await versionConfig(manager, body.routeId, route.liveVersionNumber);
      const target =
        body.config !== undefined
          ? await this.createInlineVersion(manager, route, live, body.config, actor)
          : await findVersion(manager, body.routeId, body.configVersion as number | string);
      if (target.versionNumber === route.liveVersionNumber) {
        throw new ValidationError([{ field: 'configVersion', message: 'is the live version already' }]);
      }
      const changed = changedMatchingFields(live, target.config);
      if (changed.length > 0) {
        throw new ValidationError(
          changed.map((field) => ({
            field: body.config !== undefined ? `config.${field}` : 'configVersion',
            message: `changes ${field}: a deployment may not change how the route matches (${MATCHING_FIELDS.join(', ')})`,
          })),
        );
      }

      const row = manager.create(DeploymentEntity, {
        deploymentId: newId('deploy'),
        routeId: body.routeId,
        configVersion: String(body.configVersion ?? target.versionNumber),
        targetVersionNumber: target.versionNumber,
        stableVersionNumber: route.liveVersionNumber,
        strategy: body.strategy,
        environment: body.environment,
        status: 'Pending',
        trafficSplit: null,
        phases: plan.phases,
        currentPhaseIndex: 0,
        thresholds: { ...DEFAULT_THRESHOLDS, ...body.thresholds },
        pinHeader: body.pinHeader,
        previewHeader: body.previewHeader,
        requiresApproval: needsApproval,
        approvalStatus: needsApproval ? 'Pending' : 'NotRequired',
        approvedBy: null,
        approvedAt: null,
        approvalComment: null,
        approvalExpiresAt: needsApproval ? new Date(now.getTime() + this.policy.ttlMs) : null,
        startedAt: null,
        phaseStartedAt: null,
        completedAt: null,
        rolledBackAt: null,
        rollbackReason: null,
        tick: 0,
        inconclusiveCount: 0,
        lastAnalysis: null,
        createdBy: actor.userId,
      });
      await manager.insert(DeploymentEntity, row);
      await recordTransition(manager, row.deploymentId, actor, {
        event: 'create',
        fromStatus: null,
        toStatus: 'Pending',
        fromPhaseIndex: null,
        toPhaseIndex: 0,
        reason: needsApproval ? `created; ${body.environment} requires approval` : 'created',
      });
      if (!needsApproval) await this.step(manager, row, { type: 'start', reason: 'started at creation' }, actor);
      return {
        result: row,
        audit: {
          eventType: 'DeploymentCreated',
          entityType: 'Deployment',
          entityId: row.deploymentId,
          details: {
            routeId: row.routeId,
            strategy: row.strategy,
            environment: row.environment,
            targetVersionNumber: row.targetVersionNumber,
            status: row.status,
          },
        },
        subject: { kind: 'route', id: row.routeId },
      };
    });
    await this.scheduleNext(result);
    return this.get(result.deploymentId);
  }

  async list(query: ListDeploymentsQuery): Promise<Page<DeploymentView>> {
    const where: Partial<Pick<DeploymentEntity, 'routeId' | 'status'>> = {};
    if (query.routeId) where.routeId = query.routeId;
    if (query.status) where.status = query.status;
    const [rows, total] = await this.dataSource.getRepository(DeploymentEntity).findAndCount({
      where,
      order: { createdAt: 'DESC', deploymentId: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items: rows.map((row) => toView(row)), total, limit: query.limit, offset: query.offset };
  }

  async get(deploymentId: string): Promise<DeploymentView> {
    const row = await this.dataSource.getRepository(DeploymentEntity).findOneBy({ deploymentId });
    if (!row) throw new NotFoundError('Deployment', deploymentId);
    const history = await this.dataSource
      .getRepository(DeploymentTransitionEntity)
      .find({ where: { deploymentId }, order: { id: 'ASC' } });
    return toView(row, history.map(toTransitionView));
  }

  /** Deployments waiting for an Admin's decision, oldest first; one whose approval has expired waits no more. */
  async pendingApprovals(now = new Date()): Promise<DeploymentView[]> {
    const rows = await this.dataSource.getRepository(DeploymentEntity).find({
      where: { status: 'Pending', requiresApproval: true, approvalExpiresAt: MoreThan(now) },
      order: { createdAt: 'ASC', deploymentId: 'ASC' },
    });
    return rows.map((row) => toView(row));
  }

  async approve(deploymentId: string, comment: string | undefined, actor: Actor): Promise<DeploymentView> {
    await this.expireIfDue(deploymentId);
    return this.act(deploymentId, actor, (row) => {
      this.checkApprover(row, actor);
      row.approvalStatus = 'Approved';
      row.approvedBy = actor.userId;
      row.approvedAt = new Date();
      row.approvalComment = comment ?? null;
      const reason = comment ? `approved: ${comment}` : 'approved';
      return [
        { type: 'approve', reason },
        { type: 'start', reason: 'started on approval' },
      ];
    });
  }

  async reject(deploymentId: string, comment: string | undefined, actor: Actor): Promise<DeploymentView> {
    await this.expireIfDue(deploymentId);
    return this.act(deploymentId, actor, (row) => {
      this.checkApprover(row, actor);
      row.approvalStatus = 'Rejected';
      row.approvedBy = actor.userId;
      row.approvedAt = new Date();
      row.approvalComment = comment ?? null;
      return [{ type: 'reject', reason: comment ? `rejected: ${comment}` : 'rejected' }];
    });
  }

  /** Next phase, or the first phase ahead at or above `targetPercentage`. */
  async promote(deploymentId: string, targetPercentage: number | undefined, actor: Actor): Promise<DeploymentView> {
    return this.act(deploymentId, actor, (row) => {
      let toPhaseIndex = row.currentPhaseIndex + 1;
      if (targetPercentage !== undefined) {
        toPhaseIndex = row.phases.findIndex(
          (phase, index) => index > row.currentPhaseIndex && phase.trafficPercentage >= targetPercentage,
        );
        if (toPhaseIndex === -1) {
          throw new ValidationError([
            { field: 'targetPercentage', message: `no phase ahead of the current one reaches ${targetPercentage}%` },
          ]);
        }
      }
      const target = row.phases[toPhaseIndex];
      return [{ type: 'promote', toPhaseIndex, reason: `promoted to ${target?.trafficPercentage ?? '?'}%` }];
    });
  }

  async rollback(deploymentId: string, reason: string | undefined, actor: Actor): Promise<DeploymentView> {
    return this.act(deploymentId, actor, () => [{ type: 'rollback', reason: reason ?? 'rolled back by request' }]);
  }

  async pause(deploymentId: string, reason: string | undefined, actor: Actor): Promise<DeploymentView> {
    return this.act(deploymentId, actor, () => [{ type: 'pause', reason: reason ?? 'paused by request' }]);
  }

  async resume(deploymentId: string, actor: Actor): Promise<DeploymentView> {
    return this.act(deploymentId, actor, () => [{ type: 'resume', reason: 'resumed by request' }]);
  }

  async metrics(deploymentId: string): Promise<DeploymentMetricsView> {
    const row = await this.dataSource.getRepository(DeploymentEntity).findOneBy({ deploymentId });
    if (!row) throw new NotFoundError('Deployment', deploymentId);
    const since = row.phaseStartedAt ?? row.startedAt;
    const comparison = since ? await this.metricsSource.compareVariants(row.routeId, since.getTime()) : undefined;
    const stable = comparison?.stable ?? NO_TRAFFIC;
    const canary = comparison?.canary ?? NO_TRAFFIC;
    const analysis = analyze({ stable, canary }, row.thresholds);
    return {
      deploymentId,
      isTelemetryAvailable: comparison !== undefined,
      since: since?.toISOString() ?? null,
      stable,
      canary,
      comparison: {
        errorRateDelta: analysis.errorRateDelta,
        p99LatencyDelta: analysis.p99LatencyDelta,
        shouldRollback: analysis.shouldRollback,
        verdict: comparison ? analysis.verdict : 'unavailable',
        reason: comparison ? analysis.reason : 'no telemetry from the data planes',
      },
    };
  }

  /** The scheduled jobs' entry point. Never rejects for a stale job; rejects (to be retried) on a failure. */
  async runJob(job: DeploymentJob): Promise<void> {
    const attributes = { 'gateway.deployment_id': job.deploymentId, 'gateway.deployment.job': job.kind };
    await this.tracer.inSpan('gateway.deployment.job', attributes, async () => {
      try {
        if (job.kind === 'expire') await this.expire(job);
        else await this.runStep(job);
      } catch (error) {
        if (error instanceof StaleJob) return;
        this.logger.warn(`deployment ${job.deploymentId} ${job.kind} job failed: ${(error as Error).message}`);
        throw error;
      }
    });
  }

  /** On boot: schedules the next job of every deployment that is waiting for one (jobs already queued are kept). */
  async resumeAll(): Promise<number> {
    const rows = await this.dataSource
      .getRepository(DeploymentEntity)
      .find({ where: [{ status: 'InProgress' }, { status: 'Pending', requiresApproval: true }] });
    for (const row of rows) await this.scheduleNext(row);
    return rows.length;
  }

  private async runStep(job: DeploymentJob): Promise<void> {
    const row = await this.dataSource.getRepository(DeploymentEntity).findOneBy({ deploymentId: job.deploymentId });
    if (!row || row.status !== 'InProgress' || row.tick !== job.tick) return;
    const phase = row.phases[row.currentPhaseIndex] as Phase;
    const since = row.phaseStartedAt ?? new Date();
    const isDue = Date.now() - since.getTime() >= phase.durationMs;
    // A phase without duration has nothing to observe; Direct rolls out at once.
    const isJudged = phase.durationMs > 0 && phase.trafficPercentage > 0 && row.strategy !== 'Direct';
    const comparison = isJudged ? await this.metricsSource.compareVariants(row.routeId, since.getTime()) : undefined;
    const analysis = comparison ? analyze(comparison, row.thresholds) : undefined;

    if (analysis?.shouldRollback) {
      await this.act(
        row.deploymentId,
        SYSTEM_ACTOR,
        () => [{ type: 'rollback', reason: `automatic rollback: ${analysis.reason}` }],
        { expectedTick: job.tick, analysis },
      );
      return;
    }
    if (isDue && analysis?.verdict === 'inconclusive') {
      if (row.inconclusiveCount + 1 >= row.thresholds.maxInconclusive) {
        await this.act(
          row.deploymentId,
          SYSTEM_ACTOR,
          () => [
            { type: 'pause', reason: `paused for a person: ${analysis.reason}, ${row.inconclusiveCount + 1} times` },
          ],
          { expectedTick: job.tick, analysis },
        );
        return;
      }
      await this.recordAnalysis(job, analysis, true);
      return;
    }
    if (isDue) {
      const reason = analysis ? `phase ${phase.name} done: ${analysis.reason}` : `phase ${phase.name} done`;
      await this.act(
        row.deploymentId,
        SYSTEM_ACTOR,
        () => [{ type: 'advance', expectedPhaseIndex: row.currentPhaseIndex, reason }],
        { expectedTick: job.tick, analysis },
      );
      return;
    }
    await this.recordAnalysis(job, analysis, false);
  }

  /** An analysis that moved nothing: kept on the row, the tick bumped, the next step scheduled. */
  private async recordAnalysis(
    job: DeploymentJob,
    analysis: AnalysisResult | undefined,
    isInconclusiveAtEnd: boolean,
  ): Promise<void> {
    const row = await this.dataSource.transaction(async (manager) => {
      const locked = await lockDeployment(manager, job.deploymentId);
      if (locked.status !== 'InProgress' || locked.tick !== job.tick) throw new StaleJob();
      locked.tick++;
      if (analysis) locked.lastAnalysis = { ...analysis, at: new Date().toISOString() };
      if (isInconclusiveAtEnd) locked.inconclusiveCount++;
      return manager.save(DeploymentEntity, locked);
    });
    await this.scheduleNext(row);
  }

  /** A decision that comes after the approval expired finds the deployment Rejected (audited), as the job would. */
  private async expireIfDue(deploymentId: string): Promise<void> {
    const row = await this.dataSource.getRepository(DeploymentEntity).findOneBy({ deploymentId });
    if (!row || row.status !== 'Pending' || !row.approvalExpiresAt || row.approvalExpiresAt > new Date()) return;
    try {
      await this.expire({ kind: 'expire', deploymentId, tick: row.tick });
    } catch (error) {
      if (!(error instanceof StaleJob)) throw error;
    }
  }

  private async expire(job: DeploymentJob): Promise<void> {
    const row = await this.dataSource.getRepository(DeploymentEntity).findOneBy({ deploymentId: job.deploymentId });
    if (!row || row.status !== 'Pending' || row.tick !== job.tick || !row.approvalExpiresAt) return;
    if (row.approvalExpiresAt.getTime() > Date.now()) {
      await this.scheduleNext(row);
      return;
    }
    await this.act(
      row.deploymentId,
      SYSTEM_ACTOR,
      (locked) => {
        locked.approvalStatus = 'Rejected';
        return [{ type: 'expire', reason: 'approval expired' }];
      },
      { expectedTick: job.tick },
    );
  }

  private checkApprover(row: DeploymentEntity, actor: Actor): void {
    if (!mayDecide(row, actor.userId).ok) {
      throw new ForbiddenError('Nobody approves or rejects their own deployment');
    }
  }

  /**
   * Locks the deployment, applies the events `decide` returns through the state machine, and writes the outcome
   * with the next snapshot. `expectedTick`: a job's run, which finds a moved-on deployment stale (no error).
   */
  private async act(
    deploymentId: string,
    actor: Actor,
    decide: (row: DeploymentEntity) => DeploymentEvent[],
    options: { expectedTick?: number; analysis?: AnalysisResult } = {},
  ): Promise<DeploymentView> {
    const { result: row } = await this.changes.apply(actor, async (manager) => {
      const locked = await lockDeployment(manager, deploymentId);
      if (options.expectedTick !== undefined && locked.tick !== options.expectedTick) throw new StaleJob();
      const fromStatus = locked.status;
      const fromPhaseIndex = locked.currentPhaseIndex;
      if (options.analysis) locked.lastAnalysis = { ...options.analysis, at: new Date().toISOString() };
      const events = decide(locked);
      for (const event of events) {
        const attributes = { 'gateway.deployment_id': deploymentId, 'gateway.deployment.event': event.type };
        await this.tracer.inSpan('gateway.deployment.transition', attributes, async (span) => {
          const from = locked.status;
          await this.step(manager, locked, event, actor);
          span?.setAttributes({
            'gateway.deployment.from_status': from,
            'gateway.deployment.to_status': locked.status,
            'gateway.deployment.phase_index': locked.currentPhaseIndex,
          });
        });
      }
      const reasons = events.map((event) => event.reason).join('; ');
      return {
        result: locked,
        audit: {
          eventType: `Deployment${capitalize(events[events.length - 1]?.type ?? 'Changed')}`,
          entityType: 'Deployment',
          entityId: deploymentId,
          details: {
            routeId: locked.routeId,
            fromStatus,
            toStatus: locked.status,
            fromPhaseIndex,
            toPhaseIndex: locked.currentPhaseIndex,
            reason: reasons,
          },
        },
        subject: { kind: 'route', id: locked.routeId },
      };
    });
    await this.scheduleNext(row);
    return this.get(deploymentId);
  }

  /** One transition, inside the caller's transaction: the row, its history, and the route's split or live version. */
  private async step(
    manager: EntityManager,
    row: DeploymentEntity,
    event: DeploymentEvent,
    actor: Actor,
  ): Promise<void> {
    const result = transition(stateOf(row), event);
    if (!result.ok) {
      if (result.kind === 'stale') throw new StaleJob(result.message);
      throw new ConflictError(`Deployment ${row.deploymentId}: ${result.message}`, { status: row.status });
    }
    const { state, transition: moved } = result;
    const now = new Date();
    const entersPhase =
      state.status === 'InProgress' &&
      (moved.fromPhaseIndex !== moved.toPhaseIndex || moved.fromStatus !== 'InProgress');
    row.status = state.status;
    row.currentPhaseIndex = state.phaseIndex;
    row.tick++;
    if (event.type === 'start') row.startedAt = now;
    if (entersPhase) {
      row.phaseStartedAt = now;
      row.inconclusiveCount = 0;
    }
    switch (state.status) {
      case 'InProgress':
      case 'Paused':
        if (entersPhase || moved.fromPhaseIndex !== moved.toPhaseIndex) await this.applySplit(manager, row);
        break;
      case 'Completed':
        await this.makeTargetLive(manager, row);
        row.completedAt = now;
        break;
      case 'RolledBack':
      case 'Failed':
        await setRouteSplit(manager, row.routeId, null);
        row.trafficSplit = null;
        row.completedAt = now;
        row.rolledBackAt = now;
        row.rollbackReason = event.reason;
        break;
      case 'Rejected':
        row.completedAt = now;
        break;
      case 'Pending':
      case 'Approved':
        break;
    }
    await manager.save(DeploymentEntity, row);
    await recordTransition(manager, row.deploymentId, actor, moved);
  }

  private async applySplit(manager: EntityManager, row: DeploymentEntity): Promise<void> {
    const target = await versionConfig(manager, row.routeId, row.targetVersionNumber);
    const dataPlanes =
      row.strategy === 'Rolling'
        ? (
            await manager.query<Array<{ data_plane_id: string }>>(
              'SELECT data_plane_id FROM data_planes WHERE is_connected',
            )
          ).map((dp) => dp.data_plane_id)
        : [];
    const split = trafficSplitFor({
      deploymentId: row.deploymentId,
      strategy: row.strategy as DeploymentStrategyName,
      phase: row.phases[row.currentPhaseIndex] as Phase,
      target,
      pinHeader: row.pinHeader,
      previewHeader: row.previewHeader,
      dataPlaneIds: dataPlanes,
    });
    row.trafficSplit = split;
    await setRouteSplit(manager, row.routeId, split);
  }

  private async makeTargetLive(manager: EntityManager, row: DeploymentEntity): Promise<void> {
    const route = await manager.getRepository(RouteEntity).findOneBy({ routeId: row.routeId });
    if (!route) throw new NotFoundError('Route', row.routeId);
    const target = await versionConfig(manager, row.routeId, row.targetVersionNumber);
    applyRouteConfig(route, target);
    route.liveVersionNumber = row.targetVersionNumber;
    route.updatedBy = row.createdBy;
    await manager.save(RouteEntity, route);
    await setRouteSplit(manager, row.routeId, null);
    row.trafficSplit = null;
  }

  private async createInlineVersion(
    manager: EntityManager,
    route: RouteEntity,
    live: RouteConfig,
    fields: Record<string, unknown>,
    actor: Actor,
  ): Promise<{ versionNumber: number; config: RouteConfig }> {
    // Only the fields given: the defaults of absent ones must not overwrite the live version's.
    const variant = parsePatch(routeVariantSchema.partial(), fields, 'config');
    const parsed = routeConfigSchema.safeParse({ ...live, ...variant, trafficSplit: null });
    if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error.issues, 'config'));
    const versionNumber = route.latestVersionNumber + 1;
    await manager.insert(RouteVersionEntity, {
      routeId: route.routeId,
      versionNumber,
      config: parsed.data,
      createdBy: actor.userId,
    });
    route.latestVersionNumber = versionNumber;
    await manager.save(RouteEntity, route);
    return { versionNumber, config: parsed.data };
  }

  /** After a commit: the job the deployment now waits for, if any. */
  private async scheduleNext(row: DeploymentEntity): Promise<void> {
    try {
      if (row.status === 'InProgress') {
        const phase = row.phases[row.currentPhaseIndex] as Phase;
        const elapsed = Date.now() - (row.phaseStartedAt?.getTime() ?? Date.now());
        const remaining = Math.max(0, phase.durationMs - elapsed);
        const delay = phase.durationMs === 0 ? 0 : Math.min(this.intervalMs, remaining);
        await this.scheduler.schedule({ kind: 'step', deploymentId: row.deploymentId, tick: row.tick }, delay);
      } else if (row.status === 'Pending' && row.requiresApproval && row.approvalExpiresAt) {
        const delay = Math.max(0, row.approvalExpiresAt.getTime() - Date.now());
        await this.scheduler.schedule({ kind: 'expire', deploymentId: row.deploymentId, tick: row.tick }, delay);
      }
    } catch (error) {
      // The state is committed; the boot-time resume (or the next request) schedules the job again.
      this.logger.warn(`cannot schedule the next job of ${row.deploymentId}: ${(error as Error).message}`);
    }
  }
}

function stateOf(row: DeploymentEntity): DeploymentState {
  return {
    status: row.status,
    phaseIndex: row.currentPhaseIndex,
    phaseCount: row.phases.length,
    requiresApproval: row.requiresApproval,
  };
}

async function lockDeployment(manager: EntityManager, deploymentId: string): Promise<DeploymentEntity> {
  const row = await manager
    .getRepository(DeploymentEntity)
    .findOne({ where: { deploymentId }, lock: { mode: 'pessimistic_write' } });
  if (!row) throw new NotFoundError('Deployment', deploymentId);
  return row;
}

async function setRouteSplit(manager: EntityManager, routeId: string, split: unknown): Promise<void> {
  await manager.query('UPDATE gateway_routes SET traffic_split = $1 WHERE route_id = $2', [
    split === null ? null : JSON.stringify(split),
    routeId,
  ]);
}

async function versionConfig(manager: EntityManager, routeId: string, versionNumber: number): Promise<RouteConfig> {
  const row = await manager.getRepository(RouteVersionEntity).findOneBy({ routeId, versionNumber });
  if (!row) throw new NotFoundError(`Version of route "${routeId}"`, versionNumber);
  return routeConfigSchema.parse({ ...row.config, trafficSplit: null });
}

/** A version by number (`2`, `"2"`) or by its config's `version` label (`"2.0"`: the newest with it). */
async function findVersion(
  manager: EntityManager,
  routeId: string,
  configVersion: number | string,
): Promise<{ versionNumber: number; config: RouteConfig }> {
  const asNumber =
    typeof configVersion === 'number' ? configVersion : /^\d+$/.test(configVersion) ? Number(configVersion) : undefined;
  if (asNumber !== undefined) {
    return { versionNumber: asNumber, config: await versionConfig(manager, routeId, asNumber) };
  }
  const [row] = await manager.query<Array<{ version_number: number }>>(
    `SELECT version_number FROM route_versions WHERE route_id = $1 AND config->>'version' = $2
      ORDER BY version_number DESC LIMIT 1`,
    [routeId, configVersion],
  );
  if (!row) throw new NotFoundError(`Version of route "${routeId}"`, configVersion);
  return { versionNumber: row.version_number, config: await versionConfig(manager, routeId, row.version_number) };
}

async function recordTransition(
  manager: EntityManager,
  deploymentId: string,
  actor: Actor,
  moved: {
    event: string;
    fromStatus: string | null;
    toStatus: string;
    fromPhaseIndex: number | null;
    toPhaseIndex: number;
    reason: string;
  },
): Promise<void> {
  await manager.insert(DeploymentTransitionEntity, { deploymentId, ...moved, userId: actor.userId });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `PT${ms / 60_000}M` : `PT${ms / 1000}S`;
}

function toTransitionView(row: DeploymentTransitionEntity): DeploymentTransitionView {
  return {
    event: row.event,
    fromStatus: row.fromStatus,
    toStatus: row.toStatus,
    fromPhaseIndex: row.fromPhaseIndex,
    toPhaseIndex: row.toPhaseIndex,
    reason: row.reason,
    userId: row.userId,
    at: row.createdAt.toISOString(),
  };
}

function toView(row: DeploymentEntity, history?: DeploymentTransitionView[]): DeploymentView {
  const phases = row.phases.map((phase) => ({ ...phase, duration: formatDuration(phase.durationMs) }));
  return {
    deploymentId: row.deploymentId,
    routeId: row.routeId,
    configVersion: row.configVersion,
    targetVersionNumber: row.targetVersionNumber,
    stableVersionNumber: row.stableVersionNumber,
    strategy: row.strategy,
    environment: row.environment,
    status: row.status,
    phases,
    currentPhaseIndex: row.currentPhaseIndex,
    currentPhase: isActive(row.status) || row.status === 'Completed' ? (phases[row.currentPhaseIndex] ?? null) : null,
    trafficSplit: row.trafficSplit ?? null,
    thresholds: row.thresholds,
    approval: {
      required: row.requiresApproval,
      status: row.approvalStatus,
      approvedBy: row.approvedBy,
      approvedAt: row.approvedAt?.toISOString() ?? null,
      comment: row.approvalComment,
      expiresAt: row.approvalExpiresAt?.toISOString() ?? null,
    },
    lastAnalysis: row.lastAnalysis,
    startedAt: row.startedAt?.toISOString() ?? null,
    phaseStartedAt: row.phaseStartedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    rolledBackAt: row.rolledBackAt?.toISOString() ?? null,
    rollbackReason: row.rollbackReason,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    ...(history ? { history } : {}),
  };
}
