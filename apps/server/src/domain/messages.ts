import { type HistoryQuery, type Message, type Role, RoleSchema, type User } from '@salon/protocol';
import { Linger } from '../store/coalesce.js';
import {
  findByClientMsgId,
  findMemberships,
  insertBatch,
  insertMessage,
  insertPredicted,
  listMessages,
  lockRooms,
  type MessageRow,
  type PredictedHead,
  type PredictedOutcome,
  type PredictedRoom,
  takeNextSeqAsMember,
  toMessage,
} from '../store/messages.js';
import type { Actor, DomainContext } from './context.js';
import { applicationEpoch, bindFranking, checkEpoch } from './e2ee.js';
import { forbidden, invalid, isId, isUniqueViolation } from './errors.js';
import { can } from './permissions.js';
import { accessRoomFor } from './rooms.js';
import type { SealingKey } from './sealing.js';

export interface PostMessageInput {
  roomId: string;
  body?: string | undefined;
  ciphertext?: string | undefined;
  /** Encrypted rooms: the franking commitment sent beside the ciphertext. */
  franking?: string | undefined;
  clientMsgId?: string | undefined;
  ttlSeconds?: number | undefined;
}

export interface PostedMessage {
  message: Message;
  /** True when this was a resend of an already stored clientMsgId: nothing new was stored or sent. */
  duplicate: boolean;
}

/** Checks a message's payload against the room: plaintext rooms take `body`, encrypted rooms `ciphertext`. */
export function checkMessagePayload(encrypted: boolean, input: PostMessageInput): void {
  if (encrypted && input.body !== undefined) throw invalid('this room is end-to-end encrypted: send ciphertext');
  if (!encrypted && input.ciphertext !== undefined) throw invalid('this room is not encrypted: send body');
}

/**
 * How long a new message lives: its own timer, else the room's retention. A timer longer than the room's
 * retention is refused rather than silently shortened, so the sender knows what will happen.
 */
export function checkLifetime(retentionSeconds: number | null, ttlSeconds: number | undefined): number | null {
  if (ttlSeconds !== undefined && retentionSeconds !== null && ttlSeconds > retentionSeconds) {
    throw invalid(`ttlSeconds may not exceed the room's retention of ${retentionSeconds} seconds`);
  }
  return ttlSeconds ?? retentionSeconds;
}

/** A stored message as clients see it, its sealed body opened. */
async function openedMessage(ctx: DomainContext, row: MessageRow, sender: User): Promise<Message> {
  const [opened] = await ctx.sealer.openAll([row]);
  return toMessage(opened!, sender);
}

/** Thrown inside the transaction when the sender may not post here: the slow path finds the right refusal. */
class NotAllowed {}

/** A send waiting for its transaction. */
interface QueuedSend {
  actor: Actor;
  input: PostMessageInput;
  /** Encrypted rooms: the epoch named by the ciphertext's header. */
  epoch: number | null;
  now: Date;
}

/** What a send found under the room row's lock. */
interface LockedView {
  encrypted: boolean;
  retentionSeconds: number | null;
  mlsEpoch: number | null;
  commitRequired: boolean;
}

/**
 * The checks a send passes under the room row's lock, in this order: the sender may post (else `NotAllowed`),
 * is not muted, then `admitPayload`. Returns when the message expires.
 */
function admit(
  room: LockedView,
  member: { role: Role; mutedUntil: Date | null } | undefined,
  q: QueuedSend,
): Date | null {
  if (member === undefined || !can(member.role, 'message.send')) throw new NotAllowed();
  if (member.mutedUntil && member.mutedUntil > q.now) {
    throw forbidden(`you are muted in this room until ${member.mutedUntil.toISOString()}`);
  }
  return admitPayload(room, q);
}

/** The checks that depend on the room alone: the payload fits it, the timer fits its retention, the epoch is current. */
function admitPayload(room: LockedView, q: QueuedSend): Date | null {
  checkMessagePayload(room.encrypted, q.input);
  const lifetime = checkLifetime(room.retentionSeconds, q.input.ttlSeconds);
  if (q.epoch !== null) checkEpoch(room, q.epoch);
  return lifetime ? new Date(q.now.getTime() + lifetime * 1000) : null;
}

/** The roles that may send: a predicted send's statement checks the sender's role against them. */
const SENDING_ROLES = RoleSchema.options.filter((role) => can(role, 'message.send'));

/** The row of an admitted send: its body sealed at rest, its franking commitment bound to its place. */
function messageRow(
  ctx: DomainContext,
  q: QueuedSend,
  roomId: string,
  seq: number,
  expiresAt: Date | null,
  sealing: SealingKey | null,
): MessageRow {
  const { input, actor, now } = q;
  return {
    roomId,
    seq,
    senderId: actor.user.id,
    body: null,
    sealedBody: sealing ? sealing.seal(roomId, seq, input.body!) : null,
    bodyKeyId: sealing?.id ?? null,
    ciphertext: input.ciphertext ?? null,
    kind: null,
    epoch: q.epoch,
    frankingTag: input.franking ?? null,
    frankingBinding:
      input.franking !== undefined
        ? bindFranking(ctx, { roomId, seq, senderId: actor.user.id, now }, input.franking)
        : null,
    clientMsgId: input.clientMsgId ?? null,
    createdAt: now,
    expiresAt,
    editedAt: null,
    deletedAt: null,
  };
}

/** The refusal a sender who may not post gets, the same as any other request's (`not_found` for a hidden room). */
async function refusal(ctx: DomainContext, q: QueuedSend): Promise<never> {
  await accessRoomFor(ctx, q.actor, q.input.roomId, 'message.send');
  throw forbidden('you are no longer a member of this room');
}

/**
 * Stores a message with the room's next seq, then announces it. Sends are queued per process and committed in
 * batches (group commit): a send alone goes at once as two statements under the room row's lock (take the seq,
 * which also reads the room and the membership; insert); sends that arrive while a batch is in flight go
 * together in the next one, one transaction for all of them whatever their rooms. Either way each send passes the
 * same checks under its room's lock, its ack waits for the commit, and seqs are handed out and committed in
 * order with no gap.
 */
export async function doPostMessage(ctx: DomainContext, actor: Actor, input: PostMessageInput): Promise<PostedMessage> {
  // Per user and room: one member's flood never slows anyone else down in the same room. Bots have their own budget.
  const limit = actor.tier === 'bot' ? 'sendUserRoomBot' : 'sendUserRoom';
  await ctx.limits.consume(limit, `${actor.user.id}:${input.roomId}`);
  if (!isId(input.roomId)) await accessRoomFor(ctx, actor, input.roomId, 'message.send');
  // Encrypted rooms: the ciphertext's own header says which epoch it was made in; checked under the lock.
  const epoch = input.ciphertext !== undefined ? applicationEpoch(input.roomId, input.ciphertext) : null;
  return sendQueueOf(ctx).post({ actor, input, epoch, now: ctx.now() });
}

/** How the process's sends were committed: alone, or in batches of several. */
export interface SendStats {
  alone: number;
  batches: number;
  batchedSends: number;
  /** Batches whose transaction failed, whose sends then went alone. */
  fallbacks: number;
  /**
   * Sends stored by one statement at predicted seqs (`predictedStatements` of them), and sends whose prediction
   * failed (they then went the transactional way).
   */
  predicted: number;
  predictedStatements: number;
  mispredicted: number;
  /** Mispredicted sends whose seqs another process had taken: predicted once more, after the seq the lock found. */
  repredicted: number;
}

export function sendStats(ctx: DomainContext): SendStats {
  return { ...sendQueueOf(ctx).stats };
}

const queues = new WeakMap<DomainContext, SendQueue>();
function sendQueueOf(ctx: DomainContext): SendQueue {
  let queue = queues.get(ctx);
  if (!queue) {
    queue = new SendQueue(ctx, ctx.sendBatchesInFlight ?? 1, ctx.sendLingerMs ?? LINGER_MS);
    queues.set(ctx, queue);
  }
  return queue;
}

/** Largest batch of sends in one transaction. */
const MAX_BATCH = 200;
/** A process is busy with sends when they come less than BUSY_GAP_MS apart on average (see `Linger`). */
const BUSY_GAP_MS = 10;
/** How long the first send of a batch waits for others on a busy process, by default (see `sendLingerMs`). */
const LINGER_MS = 2;

/** The process's sends, committed in batches; at most `maxInFlight` transactions at once. */
class SendQueue {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  readonly stats: SendStats = {
    alone: 0,
    batches: 0,
    batchedSends: 0,
    fallbacks: 0,
    predicted: 0,
    predictedStatements: 0,
    mispredicted: 0,
    repredicted: 0,
  };
  /** Per room, what the last committed send saw under the lock and the last seq handed out: the base of predictions. */
  private readonly known = new Map<string, KnownRoom>();

  private readonly linger: Linger;

  constructor(
    private readonly ctx: DomainContext,
    private readonly maxInFlight: number,
    lingerMs: number,
  ) {
    this.linger = new Linger(lingerMs, BUSY_GAP_MS);
  }

  post(q: QueuedSend): Promise<PostedMessage> {
    const at = this.linger.arrived();
    return new Promise((resolve, reject) => {
      this.queue.push({ q, at, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.pump();
    };
    // The sends of this turn of the event loop go together. Under a steady stream of sends, the batch waits for
    // company (`Linger`): a statement per send would cost more than the wait.
    const wait = this.linger.delay(this.queue[0]!.at);
    if (wait > 0) setTimeout(go, wait);
    else setImmediate(go);
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    const rest = this.known.size > 0 ? await this.runPredicted(batch) : batch;
    if (rest.length > 1) {
      const sends = rest.map((b) => b.q);
      let outcomes: Outcome[] | undefined;
      try {
        outcomes = await commitBatch(this.ctx, sends, (roomId, known) => this.remember(roomId, known));
      } catch {
        // The batch's transaction failed as a whole (nothing of it is stored): each send goes alone, so one bad
        // send, a lost race or a deadlock only fails what it must.
      }
      if (outcomes) {
        this.stats.batches++;
        this.stats.batchedSends += rest.length;
        const settle = announceBatch(this.ctx, sends, outcomes);
        for (const [i, b] of rest.entries()) await settle[i]!().then(b.resolve, b.reject);
        return;
      }
      this.stats.fallbacks++;
    }
    this.stats.alone += rest.length;
    for (const b of rest) {
      await postAlone(this.ctx, b.q, (roomId, known) => this.remember(roomId, known)).then(b.resolve, b.reject);
    }
  }

  private remember(roomId: string, known: KnownRoom): void {
    // A bound on memory for processes that see many rooms: forgetting only costs the next send its prediction.
    if (this.known.size >= MAX_KNOWN_ROOMS && !this.known.has(roomId)) this.known.clear();
    this.known.set(roomId, known);
  }

  /**
   * One statement instead of a transaction: for each room this process knows, the seqs after the last one it saw
   * (its own sends, and the broker's hint for other processes'), conditioned on the room being as it was and each
   * sender being an unmuted member with a sending role, all checked under the room row's lock. A room with any
   * surprise (another process's send took the seq, settings changed, a sender was muted or removed, a resend, a
   * new data key needed) stores nothing, and its sends go the transactional way, which answers them exactly; when
   * only its seq moved (another process's sends), they are first predicted once more (`retry`) after the seq the
   * lock found. Settles the sends it stored; returns the others in queue order.
   */
  private async runPredicted(batch: Waiting[], retry = true): Promise<Waiting[]> {
    const byRoom = new Map<string, Waiting[]>();
    for (const b of batch) {
      const list = byRoom.get(b.q.input.roomId);
      if (list) list.push(b);
      else byRoom.set(b.q.input.roomId, [b]);
    }
    const plans: Prediction[] = [];
    for (const [roomId, sends] of byRoom) {
      const plan = this.predict(roomId, sends);
      if (plan) plans.push(plan);
    }
    if (plans.length === 0) return batch;
    // The next sends to these rooms predict after these ones, even while they are in flight.
    for (const p of plans) p.known.lastSeq = p.head.last;
    let outcome: PredictedOutcome = { stored: new Set(), lastSeqs: new Map() };
    let resend = false;
    try {
      outcome = await insertPredicted(
        this.ctx.prepared,
        plans.flatMap((p) => p.rows),
        plans.map((p) => p.head),
        SENDING_ROLES,
        // The batch's first send is its earliest: a mute that ends meanwhile still refuses here (then exactly).
        batch[0]!.q.now,
      );
    } catch (err) {
      // Nothing was stored. A resend (its clientMsgId conflicts) changed nothing of the rooms: their predictions
      // stay good for the next sends. Anything else (the store failing) is answered by the transactional way.
      resend = isUniqueViolation(err);
    }
    const settled = new Set<Waiting>();
    const raced: Waiting[] = [];
    if (outcome.stored.size > 0) this.stats.predictedStatements++;
    for (const p of plans) {
      if (outcome.stored.has(p.head.roomId)) {
        this.stats.predicted += p.sends.length;
        for (const [i, b] of p.sends.entries()) {
          const message = toMessage({ ...p.rows[i]!, body: b.q.input.body ?? null }, b.q.actor.user);
          this.ctx.notify.messagePosted(message);
          b.resolve({ message, duplicate: false });
          settled.add(b);
        }
        continue;
      }
      this.stats.mispredicted += p.sends.length;
      // A later batch of this process predicted after this one: it fails the same way, and learns by itself.
      if (p.known.lastSeq !== p.head.last) continue;
      if (resend) {
        p.known.lastSeq = p.head.after;
        continue;
      }
      const lastSeq = outcome.lastSeqs.get(p.head.roomId);
      if (retry && lastSeq !== undefined && lastSeq !== p.head.after) {
        // Another process took the seqs predicted here (a room's members are spread over processes): once more
        // after the seq the lock found, rather than the transactional way.
        p.known.lastSeq = lastSeq;
        raced.push(...p.sends);
        continue;
      }
      if (this.known.get(p.head.roomId) === p.known) this.known.delete(p.head.roomId);
    }
    const left = new Set(batch.filter((b) => !settled.has(b)));
    if (raced.length > 0) {
      this.stats.repredicted += raced.length;
      const still = new Set(await this.runPredicted(raced, false));
      for (const b of raced) if (!still.has(b)) left.delete(b);
    }
    return batch.filter((b) => left.has(b));
  }

  /** The rows of a room's sends at the seqs after the last one seen, if each passes on what is known of the room. */
  private predict(roomId: string, sends: Waiting[]): Prediction | undefined {
    const known = this.known.get(roomId);
    if (known === undefined) return undefined;
    const after = Math.max(known.lastSeq, this.ctx.lastSeqHint?.(roomId) ?? 0);
    const resends = new Set<string>();
    const rows: MessageRow[] = [];
    for (const [i, { q }] of sends.entries()) {
      // The same message twice in one batch: the transactional way answers the second with the first.
      if (q.input.clientMsgId !== undefined) {
        const key = `${q.actor.user.id}|${q.input.clientMsgId}`;
        if (resends.has(key)) return undefined;
        resends.add(key);
      }
      let expiresAt: Date | null;
      try {
        expiresAt = admitPayload(known.view, q);
      } catch {
        return undefined;
      }
      const sealing = q.input.body !== undefined ? this.ctx.sealer.knownKeyFor(roomId, expiresAt, q.now) : null;
      if (sealing === undefined) return undefined;
      rows.push(messageRow(this.ctx, q, roomId, after + 1 + i, expiresAt, sealing));
    }
    const senderIds = [...new Set(sends.map((b) => b.q.actor.user.id))];
    return {
      known,
      sends,
      rows,
      head: { roomId, after, last: after + sends.length, room: known.view, senderIds },
    };
  }
}

/** A send waiting in the queue, with how to settle it. */
interface Waiting {
  q: QueuedSend;
  /** When it was queued (performance.now()). */
  at: number;
  resolve(p: PostedMessage): void;
  reject(e: unknown): void;
}

/** A room's sends in a predicted statement. */
interface Prediction {
  known: KnownRoom;
  sends: Waiting[];
  rows: MessageRow[];
  head: PredictedHead;
}

/** What a process knows of a room from its last committed send there. */
interface KnownRoom {
  view: PredictedRoom;
  lastSeq: number;
}

/** Rooms whose last view a process keeps for predicted sends. */
const MAX_KNOWN_ROOMS = 10_000;

const viewOf = (room: PredictedRoom): PredictedRoom => ({
  encrypted: room.encrypted,
  retentionSeconds: room.retentionSeconds,
  mlsEpoch: room.mlsEpoch,
  commitRequired: room.commitRequired,
});

/** Thrown inside the transaction to roll the seq back when the clientMsgId was already stored. */
class AlreadyStored {
  constructor(readonly message: Message) {}
}

/**
 * One send in its own transaction, two statements under the room row's lock: take the seq (which also reads the
 * room and the sender's membership), then insert (a resend's clientMsgId conflicts and is answered with the first
 * seq). The membership is read under the lock, so a member removed concurrently cannot slip a message in after
 * the removal.
 */
async function postAlone(
  ctx: DomainContext,
  q: QueuedSend,
  committed: (roomId: string, known: KnownRoom) => void,
): Promise<PostedMessage> {
  const { actor, input } = q;
  let stored: { message: Message; sealing: SealingKey | null; known: KnownRoom };
  try {
    stored = await ctx.db.transaction(async (tx) => {
      const room = await takeNextSeqAsMember(tx, input.roomId, actor.user.id);
      if (room === undefined) throw new NotAllowed();
      const expiresAt = admit(room, room, q);
      // A new data key is created in this transaction: it exists exactly when the body it sealed does.
      const sealing = input.body !== undefined ? await ctx.sealer.keyFor(room.id, expiresAt, q.now, tx) : null;
      const row = await insertMessage(tx, messageRow(ctx, q, room.id, room.seq, expiresAt, sealing));
      if (row === undefined) {
        // The clientMsgId is already stored: roll the seq back and answer with the first one.
        const prior = await findByClientMsgId(tx, room.id, actor.user.id, input.clientMsgId!);
        throw new AlreadyStored(await openedMessage(ctx, prior!, actor.user));
      }
      const message = toMessage({ ...row, body: input.body ?? null }, actor.user);
      return { message, sealing, known: { view: viewOf(room), lastSeq: room.seq } };
    });
  } catch (err) {
    if (err instanceof AlreadyStored) return { message: err.message, duplicate: true };
    if (err instanceof NotAllowed) return refusal(ctx, q);
    // Two resends racing on two processes: the loser waits on the unique index, then finds the winner's row.
    if (isUniqueViolation(err) && input.clientMsgId) {
      const prior = await findByClientMsgId(ctx.db, input.roomId, actor.user.id, input.clientMsgId);
      if (prior) return { message: await openedMessage(ctx, prior, actor.user), duplicate: true };
    }
    throw err;
  }
  stored.sealing?.remember();
  committed(stored.message.roomId, stored.known);
  ctx.notify.messagePosted(stored.message);
  return { message: stored.message, duplicate: false };
}

/** What became of one send of a committed batch. */
type Outcome =
  | { kind: 'stored'; row: MessageRow; sealing: SealingKey | null }
  /** A resend of a send earlier in the same batch (its index). */
  | { kind: 'same'; as: number }
  | { kind: 'refused'; error: unknown };

/**
 * Several sends in one transaction: lock their rooms (in id order), read the memberships under the locks, admit
 * each send in queue order, then one statement inserts every message and moves every room's last seq. Throws
 * when the transaction failed: then nothing of the batch is stored.
 */
async function commitBatch(
  ctx: DomainContext,
  batch: QueuedSend[],
  seen: (roomId: string, known: KnownRoom) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const views: Array<[string, KnownRoom]> = [];
  await ctx.db.transaction(async (tx) => {
    const roomIds = [...new Set(batch.map((q) => q.input.roomId))];
    const locked = await lockRooms(tx, roomIds);
    const members = await findMemberships(tx, roomIds, [...new Set(batch.map((q) => q.actor.user.id))]);
    const resendKey = (q: QueuedSend) => `${q.input.roomId}|${q.actor.user.id}|${q.input.clientMsgId}`;
    const firstInBatch = new Map<string, number>();
    const lastSeqs = new Map<string, number>();
    const rows: MessageRow[] = [];
    for (const [i, q] of batch.entries()) {
      try {
        const room = locked.get(q.input.roomId);
        if (room === undefined) throw new NotAllowed();
        const expiresAt = admit(room, members.get(`${room.id}|${q.actor.user.id}`), q);
        if (q.input.clientMsgId !== undefined) {
          const key = resendKey(q);
          const same = firstInBatch.get(key);
          if (same !== undefined) {
            outcomes.push({ kind: 'same', as: same });
            continue;
          }
          firstInBatch.set(key, i);
        }
        const seq = (lastSeqs.get(room.id) ?? room.lastSeq) + 1;
        lastSeqs.set(room.id, seq);
        const sealing = q.input.body !== undefined ? await ctx.sealer.keyFor(room.id, expiresAt, q.now, tx) : null;
        const row = messageRow(ctx, q, room.id, seq, expiresAt, sealing);
        rows.push(row);
        outcomes.push({ kind: 'stored', row, sealing });
      } catch (error) {
        outcomes.push({ kind: 'refused', error });
      }
    }
    // A resend of a message stored before this batch conflicts on its clientMsgId: the batch rolls back and
    // its sends go alone, which answer resends with their first copy. Resends are rare (after a reconnect),
    // so the common batch spends no statement looking for them.
    const heads = [...lastSeqs].map(([roomId, lastSeq]) => ({ roomId, lastSeq }));
    if ((await insertBatch(tx, rows, heads)) < rows.length) throw new Error('a resend in the batch');
    for (const room of locked.values()) {
      views.push([room.id, { view: viewOf(room), lastSeq: lastSeqs.get(room.id) ?? room.lastSeq }]);
    }
  });
  // Committed: what the batch saw is now true of each room.
  for (const [roomId, known] of views) seen(roomId, known);
  return outcomes;
}

/**
 * After a batch's commit: remembers its new data keys and announces its messages in seq order; returns, per send,
 * how to settle it (ack, answer a resend with its first copy, or refuse it).
 */
function announceBatch(
  ctx: DomainContext,
  batch: QueuedSend[],
  outcomes: Outcome[],
): Array<() => Promise<PostedMessage>> {
  const messages = outcomes.map((o, i) => {
    if (o.kind !== 'stored') return null;
    o.sealing?.remember();
    const message = toMessage({ ...o.row, body: batch[i]!.input.body ?? null }, batch[i]!.actor.user);
    ctx.notify.messagePosted(message);
    return message;
  });
  return outcomes.map((o, i) => async (): Promise<PostedMessage> => {
    const q = batch[i]!;
    switch (o.kind) {
      case 'stored':
        return { message: messages[i]!, duplicate: false };
      case 'same':
        return { message: messages[o.as]!, duplicate: true };
      case 'refused':
        if (o.error instanceof NotAllowed) return refusal(ctx, q);
        throw o.error;
    }
  });
}

/** A page of a room's history, for members. */
export async function fetchHistory(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  query: HistoryQuery,
): Promise<Message[]> {
  const { room } = await accessRoomFor(ctx, actor, roomId, 'room.read');
  return listMessages(ctx.db, ctx.sealer, room.id, query, ctx.now());
}
