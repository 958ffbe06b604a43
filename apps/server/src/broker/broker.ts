/** Carries notifications between server processes. The database stays the truth; a broker may drop things. */
export interface Broker {
  readonly kind: 'memory' | 'redis';
  /** Sends a payload to every process subscribed to the topic (this one included). */
  publish(topic: string, payload: string): Promise<void>;
  subscribe(topic: string): Promise<void>;
  unsubscribe(topic: string): Promise<void>;
  /** Whether publishes currently reach other processes. */
  healthy(): boolean;
  close(): Promise<void>;
}

export type BrokerHandler = (topic: string, payload: string) => void;
