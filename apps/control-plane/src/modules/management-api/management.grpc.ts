import type * as grpc from '@grpc/grpc-js';
import type {
  DeploymentEvent,
  DeploymentServiceHandlers,
  ManagementBackend,
  ManagementDeployment,
  ManagementRoute,
  RouteServiceHandlers,
  BackendServiceHandlers,
} from '@hotswap/proto';
import type { z } from 'zod';
import { ValidationError } from '../../common/errors/gateway-error';
import type { Actor } from '../../common/http/actor';
import { parseInput, parsePatch } from '../../common/http/zod-validation';
import { approvalDecisionBodySchema } from '../approvals/dto/approval-decision.dto';
import type { Role } from '../auth/roles';
import type { TokenService } from '../auth/token.service';
import type { ManagementRateLimiter } from '../management-rate-limits/management-rate-limiter';
import type { RateLimitClass } from '../management-rate-limits/rate-limit-class';
import type { BackendsService } from '../backends/backends.service';
import {
  createBackendBodySchema,
  listBackendsQuerySchema,
  updateBackendBodySchema,
  type BackendView,
} from '../backends/dto/backend.dto';
import type { DeploymentsService } from '../deployments/deployments.service';
import {
  createDeploymentBodySchema,
  listDeploymentsQuerySchema,
  pauseBodySchema,
  promoteBodySchema,
  rollbackBodySchema,
  type DeploymentView,
} from '../deployments/dto/deployment.dto';
import {
  createRouteBodySchema,
  listRoutesQuerySchema,
  updateRouteBodySchema,
  type RouteView,
} from '../routes/dto/route.dto';
import type { RoutesService } from '../routes/routes.service';
import { authorize, toServiceError, type AccessRule } from './grpc-call-context';
import type { DeploymentWatcher } from './deployment-watcher';

/** The services the REST controllers use: the gRPC handlers are thin adapters over them. */
export interface ManagementServices {
  tokens: TokenService;
  limiter: ManagementRateLimiter;
  routes: RoutesService;
  backends: BackendsService;
  deployments: DeploymentsService;
  watcher: DeploymentWatcher;
}

// The roles of the REST handlers of each operation.
const ADMIN: readonly Role[] = ['Admin'];
const DEPLOYERS: readonly Role[] = ['Admin', 'Operator'];

/** The per-user limit a call counts against: the same class, and so the same counter, as its REST operation. */
interface CallLimit {
  limiter: ManagementRateLimiter;
  rateLimitClass: RateLimitClass;
}

/** A unary call: authorize, count against the caller's limit, run, answer; any error mapped once by toServiceError. */
function unary<Req, Res>(
  tokens: TokenService,
  rule: AccessRule,
  handle: (request: Req, actor: Actor) => Promise<Res>,
  limit?: CallLimit,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let actor: Actor | undefined;
    void (async () => {
      actor = authorize(call.metadata, tokens, rule);
      if (limit && actor.userId !== null) await limit.limiter.check(actor.userId, limit.rateLimitClass);
      return handle(call.request, actor);
    })().then(
      (response) => callback(null, response),
      (error: unknown) => callback(toServiceError(error, actor?.traceId)),
    );
  };
}

/** A `*_json` field as the REST body it carries; invalid JSON names the field. */
function jsonField(text: string, field: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError([{ field, message: `is not valid JSON: ${(error as Error).message}` }]);
  }
}

/** Optional proto fields as the REST query string would carry them (strings), so the same schema parses them. */
function queryOf(fields: Record<string, string | number | boolean | null | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => [key, String(value)]),
  );
}

export function toRouteMessage(view: RouteView): ManagementRoute {
  return {
    routeId: view.routeId,
    name: view.name,
    liveVersionNumber: view.liveVersionNumber,
    latestVersionNumber: view.latestVersionNumber,
    isEnabled: view.isEnabled,
    routeJson: JSON.stringify(view),
  };
}

function toBackendMessage(view: BackendView): ManagementBackend {
  return {
    backendId: view.backendId,
    name: view.name,
    url: view.url,
    isEnabled: view.isEnabled,
    healthStatus: view.healthStatus,
    backendJson: JSON.stringify(view),
  };
}

export function toDeploymentMessage(view: DeploymentView): ManagementDeployment {
  return {
    deploymentId: view.deploymentId,
    routeId: view.routeId,
    status: view.status,
    strategy: view.strategy,
    environment: view.environment,
    currentPhaseIndex: view.currentPhaseIndex,
    targetVersionNumber: view.targetVersionNumber,
    stableVersionNumber: view.stableVersionNumber,
    deploymentJson: JSON.stringify(view),
  };
}

export function routeHandlers({ tokens, limiter, routes }: ManagementServices): RouteServiceHandlers {
  const routeWrites: CallLimit = { limiter, rateLimitClass: 'routeWrites' };
  return {
    CreateRoute: unary(
      tokens,
      ADMIN,
      async (request, actor) =>
        toRouteMessage(
          await routes.create(parseInput(createRouteBodySchema, jsonField(request.configJson, 'configJson')), actor),
        ),
      routeWrites,
    ),
    GetRoute: unary(tokens, 'read', async (request) => toRouteMessage(await routes.get(request.routeId))),
    ListRoutes: unary(tokens, 'read', async (request) => {
      const query = parseInput(
        listRoutesQuerySchema,
        queryOf({
          isEnabled: request.isEnabled,
          strategy: request.strategy,
          limit: request.limit,
          offset: request.offset,
        }),
        'query',
      );
      const page = await routes.list(query);
      return { ...page, items: page.items.map(toRouteMessage) };
    }),
    UpdateRoute: unary(
      tokens,
      ADMIN,
      async (request, actor) =>
        toRouteMessage(
          await routes.update(
            request.routeId,
            parsePatch(updateRouteBodySchema, jsonField(request.configJson, 'configJson')),
            actor,
          ),
        ),
      routeWrites,
    ),
    DeleteRoute: unary(
      tokens,
      ADMIN,
      async (request, actor) => {
        await routes.delete(request.routeId, actor);
        return {};
      },
      routeWrites,
    ),
  };
}

export function backendHandlers({ tokens, backends }: ManagementServices): BackendServiceHandlers {
  return {
    CreateBackend: unary(tokens, ADMIN, async (request, actor) =>
      toBackendMessage(
        await backends.create(parseInput(createBackendBodySchema, jsonField(request.configJson, 'configJson')), actor),
      ),
    ),
    GetBackend: unary(tokens, 'read', async (request) => toBackendMessage(await backends.get(request.backendId))),
    ListBackends: unary(tokens, 'read', async (request) => {
      const query = parseInput(
        listBackendsQuerySchema,
        queryOf({
          isEnabled: request.isEnabled,
          healthStatus: request.healthStatus,
          limit: request.limit,
          offset: request.offset,
        }),
        'query',
      );
      const page = await backends.list(query);
      return { ...page, items: page.items.map(toBackendMessage) };
    }),
    UpdateBackend: unary(tokens, ADMIN, async (request, actor) =>
      toBackendMessage(
        await backends.update(
          request.backendId,
          parsePatch(updateBackendBodySchema, jsonField(request.configJson, 'configJson')),
          actor,
        ),
      ),
    ),
    DeleteBackend: unary(tokens, ADMIN, async (request, actor) => {
      await backends.delete(request.backendId, actor);
      return {};
    }),
  };
}

export function deploymentHandlers({
  tokens,
  limiter,
  deployments,
  watcher,
}: ManagementServices): DeploymentServiceHandlers {
  const deploymentOperations: CallLimit = { limiter, rateLimitClass: 'deployments' };
  const body = <S extends z.ZodType>(schema: S, value: Record<string, unknown>): z.output<S> =>
    parseInput(schema, Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)));
  return {
    CreateDeployment: unary(
      tokens,
      DEPLOYERS,
      async (request, actor) =>
        toDeploymentMessage(
          await deployments.create(
            parseInput(createDeploymentBodySchema, jsonField(request.requestJson, 'requestJson')),
            actor,
          ),
        ),
      deploymentOperations,
    ),
    GetDeployment: unary(tokens, 'read', async (request) =>
      toDeploymentMessage(await deployments.get(request.deploymentId)),
    ),
    ListDeployments: unary(tokens, 'read', async (request) => {
      const query = parseInput(
        listDeploymentsQuerySchema,
        queryOf({ routeId: request.routeId, status: request.status, limit: request.limit, offset: request.offset }),
        'query',
      );
      const page = await deployments.list(query);
      return { ...page, items: page.items.map(toDeploymentMessage) };
    }),
    ApproveDeployment: unary(
      tokens,
      ADMIN,
      async (request, actor) => {
        const { comment } = body(approvalDecisionBodySchema, { comment: request.comment });
        return toDeploymentMessage(await deployments.approve(request.deploymentId, comment, actor));
      },
      deploymentOperations,
    ),
    RejectDeployment: unary(
      tokens,
      ADMIN,
      async (request, actor) => {
        const { comment } = body(approvalDecisionBodySchema, { comment: request.comment });
        return toDeploymentMessage(await deployments.reject(request.deploymentId, comment, actor));
      },
      deploymentOperations,
    ),
    PromoteDeployment: unary(
      tokens,
      DEPLOYERS,
      async (request, actor) => {
        const { targetPercentage } = body(promoteBodySchema, { targetPercentage: request.targetPercentage });
        return toDeploymentMessage(await deployments.promote(request.deploymentId, targetPercentage, actor));
      },
      deploymentOperations,
    ),
    RollbackDeployment: unary(
      tokens,
      DEPLOYERS,
      async (request, actor) => {
        const { reason } = body(rollbackBodySchema, { reason: request.reason });
        return toDeploymentMessage(await deployments.rollback(request.deploymentId, reason, actor));
      },
      deploymentOperations,
    ),
    PauseDeployment: unary(
      tokens,
      DEPLOYERS,
      async (request, actor) => {
        const { reason } = body(pauseBodySchema, { reason: request.reason });
        return toDeploymentMessage(await deployments.pause(request.deploymentId, reason, actor));
      },
      deploymentOperations,
    ),
    ResumeDeployment: unary(
      tokens,
      DEPLOYERS,
      async (request, actor) => toDeploymentMessage(await deployments.resume(request.deploymentId, actor)),
      deploymentOperations,
    ),
    WatchDeployment: (call) => {
      let actor: Actor | undefined;
      try {
        actor = authorize(call.metadata, tokens, 'read');
      } catch (error) {
        call.emit('error', toServiceError(error));
        return;
      }
      const traceId = actor.traceId;
      const stop = watcher.watch(call.request.deploymentId, call.request.metricsIntervalMs, {
        send: (event: DeploymentEvent) => {
          if (!call.cancelled) call.write(event);
        },
        end: () => call.end(),
        fail: (error) => call.emit('error', toServiceError(error, traceId)),
      });
      call.on('cancelled', stop);
      call.on('close', stop);
    },
  };
}
