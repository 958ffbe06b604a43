import type { Broker, BrokerHandler } from './broker.js';

/** The single-process broker: delivery in publish order, asynchronously, like a real one. */
export function createMemoryBroker(onMessage: BrokerHandler): Broker {
  const topics = new Set<string>();
  return {
    kind: 'memory',
    async publish(topic, payload) {
      queueMicrotask(() => {
        if (topics.has(topic)) onMessage(topic, payload);
      });
    },
    async subscribe(topic) {
      topics.add(topic);
    },
    async unsubscribe(topic) {
      topics.delete(topic);
    },
    healthy: () => true,
    async close() {
      topics.clear();
    },
  };
}
