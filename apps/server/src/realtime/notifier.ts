import type { Message } from '@salon/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Broker } from '../broker/broker.js';
import type { Notifier } from '../domain/context.js';
import { encodeEnvelope, roomTopic, userTopic } from './envelope.js';

/** Serializes each event once and hands it to the broker. */
export function createNotifier(broker: Broker, log: FastifyBaseLogger): Notifier {
  const publish = (topic: string, payload: string) => {
    // The store is the truth: a lost notification is repaired by gap filling, so a failure is only logged.
    broker.publish(topic, payload).catch((err: unknown) => log.warn({ err, topic }, 'broker publish failed'));
  };
  return {
    messagePosted(message: Message) {
      const frame = JSON.stringify({ type: 'message', ...message });
      const header = message.expiresAt
        ? { k: 'm' as const, s: message.seq, x: Date.parse(message.expiresAt) }
        : { k: 'm' as const, s: message.seq };
      publish(roomTopic(message.roomId), encodeEnvelope(header, frame));
    },
    roomEvent(roomId, kind, details, endsSubscriptionOf) {
      const frame = JSON.stringify({ type: 'event', roomId, kind, ...details });
      const header = endsSubscriptionOf ? { k: 'e' as const, u: endsSubscriptionOf } : { k: 'e' as const };
      publish(roomTopic(roomId), encodeEnvelope(header, frame));
    },
    userEvent(userId, kind, details) {
      publish(userTopic(userId), encodeEnvelope({ k: 'u' }, JSON.stringify({ type: 'event', kind, ...details })));
    },
    typing(roomId, user) {
      const frame = JSON.stringify({ type: 'typing', roomId, user });
      publish(roomTopic(roomId), encodeEnvelope({ k: 't', u: user.id }, frame));
    },
    sessionRevoked(userId, sessionId) {
      publish(userTopic(userId), encodeEnvelope({ k: 'r', sid: sessionId }, ''));
    },
  };
}
