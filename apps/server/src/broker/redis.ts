import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Broker, BrokerHandler } from './broker.js';

const PREFIX = 'salon:';

export interface RedisBrokerHooks {
  onError(err: Error): void;
  /** Called when the listening connection is back after a loss: notifications may have been missed meanwhile. */
  onRecovered(): void;
}

/**
 * Redis pub/sub between processes. One connection publishes, one listens (a subscribed Redis connection can do
 * nothing else); ioredis reconnects and resubscribes by itself. A process delivers its own publications
 * locally at once and drops their echo, so its own subscribers never depend on Redis being up.
 */
export async function createRedisBroker(
  url: string,
  onMessage: BrokerHandler,
  hooks: RedisBrokerHooks,
): Promise<Broker> {
  const origin = randomBytes(6).toString('base64url');
  const options = {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: (n: number) => Math.min(50 * 2 ** n, 2000),
  };
  // Publications of one turn of the event loop leave in one write (a batch of sends announces many messages).
  const pub = new Redis(url, { ...options, enableAutoPipelining: true });
  const sub = new Redis(url, options);
  pub.on('error', hooks.onError);
  sub.on('error', hooks.onError);
  let lost = false;
  sub.on('close', () => {
    lost = true;
  });
  sub.on('ready', () => {
    if (!lost) return;
    lost = false;
    hooks.onRecovered();
  });
  sub.on('message', (channel: string, data: string) => {
    const cut = data.indexOf('|');
    if (!channel.startsWith(PREFIX) || cut < 0 || data.slice(0, cut) === origin) return;
    onMessage(channel.slice(PREFIX.length), data.slice(cut + 1));
  });
  await Promise.all([pub.connect(), sub.connect()]);
  const topics = new Set<string>();
  return {
    kind: 'redis',
    async publish(topic, payload) {
      if (topics.has(topic)) queueMicrotask(() => onMessage(topic, payload));
      await pub.publish(PREFIX + topic, `${origin}|${payload}`);
    },
    async subscribe(topic) {
      topics.add(topic);
      await sub.subscribe(PREFIX + topic);
    },
    async unsubscribe(topic) {
      topics.delete(topic);
      await sub.unsubscribe(PREFIX + topic);
    },
    healthy: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}
