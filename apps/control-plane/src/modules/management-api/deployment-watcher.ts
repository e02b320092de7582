import type { DeploymentEvent } from '@hotswap/proto';
import { GatewayError, InternalError, ServiceUnavailableError } from '../../common/errors/gateway-error';
import type { NotificationListener } from '../../database/notification.listener';
import { FINAL_STATUSES } from '../deployments/deployment-state';
import type { DeploymentsService } from '../deployments/deployments.service';
import type { DeploymentView } from '../deployments/dto/deployment.dto';
import { toDeploymentMessage } from './management.grpc';

/** PostgreSQL NOTIFY channel (migration 007, a trigger on deployment_transitions): the deployment id, on commit. */
export const DEPLOYMENT_TRANSITION_CHANNEL = 'hotswap_deployment_transition';

export const DEFAULT_METRICS_INTERVAL_MS = 5_000;
const MIN_METRICS_INTERVAL_MS = 100;

export interface WatchSink {
  send(event: DeploymentEvent): void;
  end(): void;
  fail(error: GatewayError): void;
}

/**
 * Follows one deployment for a WatchDeployment stream: its state first, then each new transition (woken by the
 * transition NOTIFY of any replica, and checked again on every metrics tick so a missed notification only delays),
 * its metrics every interval, and its final state when it ends; then the stream ends.
 */
export class DeploymentWatcher {
  private readonly active = new Set<(error: GatewayError) => void>();

  constructor(
    private readonly deployments: DeploymentsService,
    private readonly listener: NotificationListener,
  ) {}

  /** Starts watching; returns the function that stops it (idempotent). */
  watch(deploymentId: string, metricsIntervalMs: number | undefined, sink: WatchSink): () => void {
    let stopped = false;
    let seen = -1;
    let queue: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: (() => void) | undefined;

    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      unsubscribe?.();
      this.active.delete(failWith);
    };
    const failWith = (error: unknown): void => {
      if (stopped) return;
      stop();
      sink.fail(
        error instanceof GatewayError ? error : new InternalError('watching the deployment failed', { cause: error }),
      );
    };

    const refresh = async (): Promise<void> => {
      if (stopped) return;
      const view = await this.deployments.get(deploymentId);
      if (stopped) return;
      const history = view.history ?? [];
      if (seen < 0) {
        sink.send({ state: toDeploymentMessage(view) });
      } else {
        for (const transition of history.slice(seen)) {
          sink.send({
            transition: {
              event: transition.event,
              fromStatus: transition.fromStatus ?? '',
              toStatus: transition.toStatus,
              fromPhaseIndex: transition.fromPhaseIndex ?? -1,
              toPhaseIndex: transition.toPhaseIndex,
              reason: transition.reason,
              userId: transition.userId ?? '',
              at: transition.at,
            },
          });
        }
      }
      const wasFirst = seen < 0;
      seen = history.length;
      if (isFinal(view)) {
        if (!wasFirst) sink.send({ state: toDeploymentMessage(view) });
        stop();
        sink.end();
      }
    };
    const schedule = (work: () => Promise<void>): void => {
      queue = queue.then(work).catch(failWith);
    };
    const sendMetrics = async (): Promise<void> => {
      if (stopped) return;
      const metrics = await this.deployments.metrics(deploymentId);
      if (stopped) return;
      sink.send({
        metrics: { shouldRollback: metrics.comparison.shouldRollback, metricsJson: JSON.stringify(metrics) },
      });
    };

    this.active.add(failWith);
    schedule(async () => {
      await refresh();
      if (stopped) return;
      unsubscribe = this.listener.subscribe(DEPLOYMENT_TRANSITION_CHANNEL, {
        onNotification: (payload) => {
          if (payload === deploymentId) schedule(refresh);
        },
        // After a (re)connect notifications may have been missed: look again.
        onListening: () => schedule(refresh),
      });
      const interval = Math.max(MIN_METRICS_INTERVAL_MS, metricsIntervalMs || DEFAULT_METRICS_INTERVAL_MS);
      timer = setInterval(() => {
        schedule(async () => {
          await refresh();
          await sendMetrics();
        });
      }, interval);
    });
    return stop;
  }

  /** Ends every watch with UNAVAILABLE (the client watches again, on another replica). */
  closeAll(): void {
    const error = new ServiceUnavailableError('The control plane is shutting down');
    for (const fail of [...this.active]) fail(error);
  }
}

function isFinal(view: DeploymentView): boolean {
  return FINAL_STATUSES.has(view.status);
}
