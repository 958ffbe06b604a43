import type { FastifyBaseLogger } from 'fastify';
import type { Broker } from '../broker/broker.js';
import type { Connection } from './connection.js';
import { decodeEnvelope, roomTopic, userTopic } from './envelope.js';
import { type FeedStats, type FeedStore, RoomFeed } from './feed.js';

/**
 * This process's room feeds and connections by user, with the broker topics they need: a topic is
 * subscribed while at least one local socket needs it.
 */
export class Registry {
  private readonly feeds = new Map<string, RoomFeed>();
  private readonly byUser = new Map<string, Set<Connection>>();
  broker!: Broker;
  readonly feedStats: FeedStats = { storeReads: 0, memoryReplays: 0 };

  constructor(
    private readonly store: FeedStore,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Entry point for everything the broker delivers to this process. */
  onBrokerMessage = (topic: string, payload: string): void => {
    const envelope = decodeEnvelope(payload);
    if (!envelope) return;
    if (topic.startsWith('room:')) {
      this.feeds.get(topic.slice(5))?.onEnvelope(envelope.header, envelope.frame);
    } else if (topic.startsWith('user:')) {
      const conns = this.byUser.get(topic.slice(5)) ?? [];
      if (envelope.header.k === 'r') {
        for (const conn of conns) if (conn.actor.sessionId === envelope.header.sid) conn.close(4401, 'session ended');
      } else if (envelope.header.k === 'u') {
        const frame = Buffer.from(envelope.frame);
        for (const conn of conns) conn.sendRaw(frame);
      }
    }
  };

  /** The room's feed, created (and its topic subscribed) on first use; resolves once it knows its head. */
  async feed(roomId: string): Promise<RoomFeed> {
    let feed = this.feeds.get(roomId);
    if (!feed) {
      const subscribed = this.broker.subscribe(roomTopic(roomId));
      feed = new RoomFeed(roomId, this.store, this.log, subscribed, (idle) => this.releaseFeed(idle), this.feedStats);
      this.feeds.set(roomId, feed);
      const created = feed;
      created.ready.catch(() => {
        if (this.feeds.get(roomId) === created) this.feeds.delete(roomId);
      });
    }
    await feed.ready;
    return feed;
  }

  /** The highest seq of the room this process has been told of (delivered or waiting for a gap), if it follows it. */
  lastSeqSeen(roomId: string): number | undefined {
    return this.feeds.get(roomId)?.lastSeqSeen();
  }

  /** After notifications may have been lost (broker outage): every feed catches up from the store. */
  resync(): void {
    for (const feed of this.feeds.values()) void feed.resync();
  }

  /** Drops the feed when its last subscription has gone. */
  private releaseFeed(feed: RoomFeed): void {
    if (feed.subs.size > 0 || this.feeds.get(feed.roomId) !== feed) return;
    this.feeds.delete(feed.roomId);
    this.broker.unsubscribe(roomTopic(feed.roomId)).catch((err: unknown) => this.log.warn({ err }, 'unsubscribe'));
  }

  async addConnection(conn: Connection): Promise<void> {
    const userId = conn.actor.user.id;
    let set = this.byUser.get(userId);
    if (!set) {
      set = new Set();
      this.byUser.set(userId, set);
      set.add(conn);
      await this.broker.subscribe(userTopic(userId));
    } else {
      set.add(conn);
    }
  }

  removeConnection(conn: Connection): void {
    for (const sub of [...conn.subs.values()]) sub.feed.detach(sub);
    const userId = conn.actor.user.id;
    const set = this.byUser.get(userId);
    if (!set?.delete(conn) || set.size > 0) return;
    this.byUser.delete(userId);
    this.broker.unsubscribe(userTopic(userId)).catch((err: unknown) => this.log.warn({ err }, 'unsubscribe'));
  }

  get connectionCount(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  allConnections(): Connection[] {
    return [...this.byUser.values()].flatMap((s) => [...s]);
  }
}
