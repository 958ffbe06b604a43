import type { AuditResponse, Invitation, InviteLink, Member, Message, Role, Room, User } from '@salon/protocol';
import { decodeWith, plainCodec, type ReceivedMessage, type RoomCodec } from './codec.js';
import { E2eeEngine, type E2eeOptions } from './e2ee/engine.js';
import type { BackoffOptions } from './realtime/backoff.js';
import { RealtimeConnection, type RealtimeEvents, type SendOptions } from './realtime/connection.js';
import type { HeartbeatOptions } from './realtime/heartbeat.js';
import type { SendResult } from './realtime/outbox.js';
import { RestTransport } from './rest.js';
import { ServerList } from './servers.js';

export interface SalonClientOptions {
  /** One server URL, several (a list or comma-separated): REST and WebSocket fail over round-robin. */
  servers: string | readonly string[];
  /** A session token from an earlier `login`, to resume it. */
  token?: string;
  /** Turns text into wire payloads and back; the plaintext codec until end-to-end encryption lands. */
  codec?: RoomCodec;
  /** Give up on a REST request after this long (ms, default 30 s). */
  requestTimeoutMs?: number;
  /** Reject a send not acknowledged within this long (ms, default 30 s). */
  sendTimeoutMs?: number;
  /** Reconnection delays (ms): full jitter below min(capMs, baseMs * 2^attempt); default 250 ms and 10 s. */
  backoff?: Partial<BackoffOptions>;
  /** Ping every intervalMs; no pong within timeoutMs means a dead connection (default 20 s and 10 s). */
  heartbeat?: Partial<HeartbeatOptions>;
  /** An upgrade not finished within this long (ms) counts as a failed attempt (default 10 s). */
  connectTimeoutMs?: number;
  /** Source of randomness for the backoff jitter (tests pass a fixed one). */
  random?: () => number;
}

export interface HistoryOptions {
  /** Messages after this seq (the first `limit` of them); without it, the newest `limit`. */
  after?: number;
  /** Messages before this seq. */
  before?: number;
  /** At most 200; the server's default is 50. */
  limit?: number;
}

type Visibility = 'public' | 'private';

/** Which room a path segment names: ids are opaque, so they are always escaped. */
const room = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

/** Salon's typed client: every REST call of the contract plus one reconnecting real-time connection. */
export class SalonClient {
  /** The reconnecting WebSocket: subscriptions, sends, events. Starts on first use. */
  readonly realtime: RealtimeConnection;
  private readonly servers: ServerList;
  private readonly rest: RestTransport;
  private codec: RoomCodec;
  private sessionToken: string | undefined;
  private engine: E2eeEngine | undefined;

  constructor(options: SalonClientOptions) {
    this.servers = new ServerList(options.servers);
    this.sessionToken = options.token;
    this.codec = options.codec ?? plainCodec;
    const token = () => this.sessionToken;
    this.rest = new RestTransport({ servers: this.servers, token, timeoutMs: options.requestTimeoutMs ?? 30_000 });
    // Delegates, so that enabling encryption later swaps the codec under a connection already built.
    const codec: RoomCodec = {
      encode: (roomId, text) => this.codec.encode(roomId, text),
      decode: (message) => this.codec.decode(message),
      recover: async (roomId, code, refused) => (await this.codec.recover?.(roomId, code, refused)) ?? false,
    };
    this.realtime = new RealtimeConnection({
      servers: this.servers,
      token,
      codec,
      backoff: options.backoff,
      heartbeat: options.heartbeat,
      sendTimeoutMs: options.sendTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      random: options.random,
    });
  }

  /** The session token (after `login`, or as given), to save and pass back later as `token`. */
  get token(): string | undefined {
    return this.sessionToken;
  }

  /** The server URL in use. */
  get server(): string {
    return this.servers.current;
  }

  /**
   * Turns on end-to-end encryption: from now on encrypted rooms are encrypted and decrypted transparently by an
   * `E2eeEngine` keeping its secrets in `options.store`; `login` then creates and registers this profile's device.
   */
  enableEncryption(options: Omit<E2eeOptions, 'request'>): E2eeEngine {
    const engine = new E2eeEngine({
      ...options,
      request: (method, path, opts) => this.rest.request(method, path, opts),
    });
    this.engine = engine;
    this.codec = engine;
    this.realtime.on('event', (event) => engine.onEvent(event));
    return engine;
  }

  /** The encryption engine, when `enableEncryption` was called. */
  get e2ee(): E2eeEngine | undefined {
    return this.engine;
  }

  /** Any REST call of the contract not wrapped here (JSON in and out; refusals throw SalonError). */
  request<T = unknown>(
    method: string,
    path: string,
    opts: { body?: unknown; query?: Record<string, string | number | undefined> } = {},
  ): Promise<T> {
    return this.rest.request<T>(method, path, opts);
  }

  // Accounts

  /** Creates an account (it does not log in). */
  async register(username: string, password: string, displayName?: string): Promise<User> {
    const body = displayName === undefined ? { username, password } : { username, password, displayName };
    return (await this.rest.request<{ user: User }>('POST', '/api/auth/register', { body })).user;
  }

  /** Logs in and keeps the session token for every later call. */
  async login(username: string, password: string): Promise<User> {
    const res = await this.rest.request<{ user: User; token: string }>('POST', '/api/auth/login', {
      body: { username, password },
    });
    this.sessionToken = res.token;
    await this.engine?.ensureDevice(res.user);
    return res.user;
  }

  /** Ends the session on the server, closes the real-time connection and forgets the token. */
  async logout(): Promise<void> {
    this.realtime.close();
    try {
      await this.rest.request('POST', '/api/auth/logout');
    } finally {
      this.sessionToken = undefined;
    }
  }

  /** The logged-in user. */
  async me(): Promise<User> {
    return (await this.rest.request<{ user: User }>('GET', '/api/me')).user;
  }

  // Rooms

  /** The caller's rooms and the public ones (`joined` tells which). */
  async rooms(): Promise<Room[]> {
    return (await this.rest.request<{ rooms: Room[] }>('GET', '/api/rooms')).rooms;
  }

  /** One room. */
  async room(roomId: string): Promise<Room> {
    return (await this.rest.request<{ room: Room }>('GET', room(roomId))).room;
  }

  /**
   * Creates a room; the caller becomes its owner. Private rooms are end-to-end encrypted unless `encrypted: false`
   * (`suite` 84, the default, or 3); with encryption enabled, the room's MLS group is created at once.
   */
  async createRoom(
    name: string,
    opts: { visibility?: Visibility; topic?: string; encrypted?: boolean; suite?: 84 | 3 } = {},
  ): Promise<Room> {
    const body = {
      name,
      visibility: opts.visibility ?? 'public',
      ...(opts.topic === undefined ? {} : { topic: opts.topic }),
      ...(opts.encrypted === undefined ? {} : { encrypted: opts.encrypted }),
      ...(opts.suite === undefined ? {} : { suite: opts.suite }),
    };
    const created = (await this.rest.request<{ room: Room }>('POST', '/api/rooms', { body })).room;
    await this.engine?.createRoom(created);
    return created;
  }

  /** Changes a room's name, topic, visibility or retention. */
  async updateRoom(
    roomId: string,
    changes: { name?: string; topic?: string; visibility?: Visibility; retentionSeconds?: number | null },
  ): Promise<Room> {
    return (await this.rest.request<{ room: Room }>('PATCH', room(roomId), { body: changes })).room;
  }

  /** Deletes a room (owner only). */
  async deleteRoom(roomId: string): Promise<void> {
    await this.rest.request('DELETE', room(roomId));
  }

  /** Joins a public room (or one the caller is invited to). */
  async joinRoom(roomId: string): Promise<Room> {
    return (await this.rest.request<{ room: Room }>('POST', `${room(roomId)}/join`)).room;
  }

  /** Leaves a room. */
  async leaveRoom(roomId: string): Promise<void> {
    await this.rest.request('POST', `${room(roomId)}/leave`);
  }

  /** A room's members with their roles. */
  async members(roomId: string): Promise<Member[]> {
    return (await this.rest.request<{ members: Member[] }>('GET', `${room(roomId)}/members`)).members;
  }

  /** One page of stored messages in seq order, each decoded by the room codec. */
  async history(roomId: string, opts: HistoryOptions = {}): Promise<ReceivedMessage[]> {
    return (await this.historyPage(roomId, opts)).messages;
  }

  /**
   * `history` with what paging needs: encrypted rooms' commits take seqs but are not messages, so a page may hold
   * fewer messages than asked while more follow. `count` is what the server returned, `firstSeq`/`lastSeq` its ends.
   */
  async historyPage(
    roomId: string,
    opts: HistoryOptions = {},
  ): Promise<{ messages: ReceivedMessage[]; count: number; firstSeq?: number; lastSeq?: number }> {
    const { messages } = await this.rest.request<{ messages: Message[] }>('GET', `${room(roomId)}/messages`, {
      query: { after: opts.after, before: opts.before, limit: opts.limit },
    });
    const decoded: ReceivedMessage[] = [];
    // One at a time: a decrypting codec must see a room's messages in seq order. Commits are not messages.
    for (const message of messages) {
      const received = await decodeWith(this.codec, message);
      if (message.kind !== 'commit') decoded.push(received);
    }
    const page: { messages: ReceivedMessage[]; count: number; firstSeq?: number; lastSeq?: number } = {
      messages: decoded,
      count: messages.length,
    };
    if (messages.length > 0) {
      page.firstSeq = messages[0]!.seq;
      page.lastSeq = messages.at(-1)!.seq;
    }
    return page;
  }

  /** Deletes a message (one's own, or any as moderator and above). */
  async deleteMessage(roomId: string, seq: number): Promise<void> {
    await this.rest.request('DELETE', `${room(roomId)}/messages/${seq}`);
  }

  // Governance

  /** Invites a user to a room. */
  async invite(roomId: string, username: string): Promise<Invitation> {
    const path = `${room(roomId)}/invitations`;
    return (await this.rest.request<{ invitation: Invitation }>('POST', path, { body: { username } })).invitation;
  }

  /** Pending invitations addressed to the caller. */
  async invitations(): Promise<Invitation[]> {
    return (await this.rest.request<{ invitations: Invitation[] }>('GET', '/api/invitations')).invitations;
  }

  /** Accepts an invitation and returns the room joined. */
  async accept(invitationId: string): Promise<Room> {
    const path = `/api/invitations/${encodeURIComponent(invitationId)}/accept`;
    const joined = (await this.rest.request<{ room: Room }>('POST', path)).room;
    // The device joins the room's group now (from a Welcome, or by external commit), not at its first message.
    if (joined.encrypted) await this.engine?.openRoom(joined.id);
    return joined;
  }

  /** Declines an invitation. */
  async decline(invitationId: string): Promise<void> {
    await this.rest.request('POST', `/api/invitations/${encodeURIComponent(invitationId)}/decline`);
  }

  /** Creates an invite link. */
  async createLink(roomId: string, expiresInSeconds: number, maxUses: number): Promise<InviteLink> {
    const body = { expiresInSeconds, maxUses };
    return (await this.rest.request<{ link: InviteLink }>('POST', `${room(roomId)}/links`, { body })).link;
  }

  /** Joins a room through an invite link. */
  async redeemLink(token: string): Promise<Room> {
    const path = `/api/links/${encodeURIComponent(token)}/redeem`;
    return (await this.rest.request<{ room: Room }>('POST', path)).room;
  }

  /** Changes a member's role. */
  async setRole(roomId: string, userId: string, role: Role): Promise<Member> {
    const path = `${room(roomId)}/members/${encodeURIComponent(userId)}`;
    return (await this.rest.request<{ member: Member }>('PATCH', path, { body: { role } })).member;
  }

  /** Removes a member from a room. */
  async kick(roomId: string, userId: string, reason?: string): Promise<void> {
    const body = reason === undefined ? {} : { reason };
    await this.rest.request('POST', `${room(roomId)}/members/${encodeURIComponent(userId)}/kick`, { body });
    // Their devices leave the group in the next commit, made now so no later message is readable to them.
    await this.engine?.reconcile(roomId);
  }

  /** Bans a user from a room. */
  async ban(roomId: string, userId: string, reason?: string): Promise<void> {
    const body = reason === undefined ? { userId } : { userId, reason };
    await this.rest.request('POST', `${room(roomId)}/bans`, { body });
  }

  /** Mutes a member for a number of seconds. */
  async mute(roomId: string, userId: string, seconds: number): Promise<void> {
    const path = `${room(roomId)}/members/${encodeURIComponent(userId)}/mute`;
    await this.rest.request('POST', path, { body: { seconds } });
  }

  /** The room's audit log and whether its hash chain verifies. */
  async audit(roomId: string): Promise<AuditResponse> {
    return this.rest.request<AuditResponse>('GET', `${room(roomId)}/audit`);
  }

  // Real time (shortcuts to `realtime`)

  /** Follows a room's messages: replays those after `since`, then live ones; resolves at the server's ack. */
  subscribe(roomId: string, opts: { since?: number } = {}): Promise<number> {
    return this.realtime.subscribe(roomId, opts);
  }

  /** Stops following a room. */
  unsubscribe(roomId: string): void {
    this.realtime.unsubscribe(roomId);
  }

  /** Sends a message; resolves with `{seq, createdAt}` once stored. */
  send(roomId: string, text: string, opts?: SendOptions): Promise<SendResult> {
    return this.realtime.send(roomId, text, opts);
  }

  /** Tells the room's other members that this user is typing. */
  typing(roomId: string): void {
    this.realtime.typing(roomId);
  }

  /** Listens to a real-time event; returns the function that stops listening. */
  on<K extends keyof RealtimeEvents>(event: K, listener: RealtimeEvents[K]): () => void {
    return this.realtime.on(event, listener);
  }

  /** Closes the real-time connection (pending sends are rejected with `closed`); the session stays valid. */
  close(): void {
    this.realtime.close();
  }
}
