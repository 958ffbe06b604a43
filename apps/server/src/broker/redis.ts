import { Redis } from 'ioredis';
import type { Broker, BrokerHandler } from './broker.js';

const PREFIX = 'salon:';

/**
 * Redis pub/sub between processes. One connection publishes, one listens (a subscribed Redis connection
 * can do nothing else); ioredis reconnects and resubscribes by itself.
 */
export async function createRedisBroker(
  url: string,
  onMessage: BrokerHandler,
  onError: (err: Error) => void,
): Promise<Broker> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 2 };
  const pub = new Redis(url, options);
  const sub = new Redis(url, options);
  pub.on('error', onError);
  sub.on('error', onError);
  sub.on('message', (channel: string, payload: string) => {
    if (channel.startsWith(PREFIX)) onMessage(channel.slice(PREFIX.length), payload);
  });
  await Promise.all([pub.connect(), sub.connect()]);
  return {
    kind: 'redis',
    async publish(topic, payload) {
      await pub.publish(PREFIX + topic, payload);
    },
    async subscribe(topic) {
      await sub.subscribe(PREFIX + topic);
    },
    async unsubscribe(topic) {
      await sub.unsubscribe(PREFIX + topic);
    },
    healthy: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}
