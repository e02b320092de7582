import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { withTimeout } from '../with-timeout';

/** How long a graceful close may wait for Redis before the connections are dropped. */
const GRACEFUL_CLOSE_MS = 5_000;

/**
 * Closes a BullMQ worker and its queue, then their connections. A close Redis does not let finish in time (a blocking
 * call caught in a reconnect) is forced: shutdown never hangs on Redis.
 */
export async function closeBullmq(
  worker: Worker | undefined,
  queue: Queue | undefined,
  connections: Redis[],
): Promise<void> {
  try {
    await withTimeout(
      (async () => {
        await worker?.close();
        await queue?.close();
      })(),
      GRACEFUL_CLOSE_MS,
      'BullMQ close',
    );
  } catch {
    void worker?.close(true).catch(() => undefined);
  }
  await Promise.all(
    connections.map((connection) =>
      withTimeout(connection.quit(), GRACEFUL_CLOSE_MS, 'Redis quit').catch(() => connection.disconnect()),
    ),
  );
}
