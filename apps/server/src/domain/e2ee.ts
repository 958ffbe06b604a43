import { createHmac, timingSafeEqual } from 'node:crypto';
import { inspectMessage, type MessageInfo, SUITES } from '@salon/crypto';
import type {
  ClaimedKeyPackage,
  CommitBody,
  Device,
  GroupState,
  IntegrityReportBody,
  Message,
  MessageReport,
  RegisterDeviceBody,
  ReportBody,
  RoomSuite,
  UploadKeyPackagesBody,
  User,
  Welcome,
} from '@salon/protocol';
import { MAX_KEY_PACKAGES_PER_DEVICE } from '@salon/protocol';
import {
  advanceEpoch,
  claimKeyPackage,
  countKeyPackages,
  createGroup,
  deleteDevice,
  deleteWelcome,
  encryptedRoomsOf,
  findDevice,
  findGroup,
  findMessageForReport,
  insertDevice,
  insertKeyPackages,
  insertReport,
  insertWelcomes,
  listDevices,
  listReports,
  listWelcomes,
  saveGroupInfo,
  toDevice,
} from '../store/e2ee.js';
import { findMembership } from '../store/governance.js';
import { insertMessage, toMessage } from '../store/messages.js';
import { findRole, listMembers, markCommitRequired, type RoomRow } from '../store/rooms.js';
import { findUserByUsername, findUsersByIds, toUser } from '../store/users.js';
import type { Actor, DomainContext } from './context.js';
import { AppError, forbidden, invalid, isId, notFound } from './errors.js';
import { can } from './permissions.js';
import { accessRoomFor } from './rooms.js';

const utf8 = new TextDecoder();

/** Reads the cleartext MLS header of base64 bytes; anything that is not MLS is refused. */
export function inspectBase64(b64: string, what: string): MessageInfo {
  try {
    return inspectMessage(Buffer.from(b64, 'base64'));
  } catch {
    throw invalid(`${what} is not a valid MLS message`);
  }
}

const groupIdOf = (info: MessageInfo) => (info.groupId ? utf8.decode(info.groupId) : undefined);
const sameKey = (a: Uint8Array | undefined, b64: string) =>
  a !== undefined && Buffer.from(a).equals(Buffer.from(b64, 'base64'));
/** ts-mls names suites; the wire uses their RFC 9420 numbers. */
const suiteNumber = (name: string | undefined) => Object.entries(SUITES).find(([, s]) => s === name)?.[0];

/**
 * Checks an application message for an encrypted room before it is stored: an MLS PrivateMessage of this
 * room's group carrying application data. Returns the epoch it was made in (the transaction compares it).
 */
export function applicationEpoch(roomId: string, ciphertext: string): number {
  const info = inspectBase64(ciphertext, 'ciphertext');
  if (info.wireformat !== 'mls_private_message' || info.contentType !== 'application') {
    throw invalid('ciphertext must be an MLS application message (PrivateMessage)');
  }
  if (groupIdOf(info) !== roomId) throw invalid('ciphertext belongs to another room');
  return Number(info.epoch);
}

/** Refuses an encrypted message that does not fit the room's group as it stands under the row lock. */
export function checkEpoch(locked: { mlsEpoch: number | null; commitRequired: boolean }, epoch: number): void {
  if (locked.mlsEpoch === null) throw new AppError('stale_epoch', 'the room has no group yet: create or join it');
  if (epoch !== locked.mlsEpoch) {
    throw new AppError('stale_epoch', `the room is at epoch ${locked.mlsEpoch}, not ${epoch}`, {
      epoch: locked.mlsEpoch,
    });
  }
  if (locked.commitRequired) {
    throw new AppError('commit_required', 'a member left: commit their removal before sending', {
      epoch: locked.mlsEpoch,
    });
  }
}

async function encryptedRoomFor(ctx: DomainContext, actor: Actor, roomId: string) {
  const access = await accessRoomFor(ctx, actor, roomId, 'room.read');
  if (!access.room.encrypted || access.room.suite === null) throw invalid('this room is not end-to-end encrypted');
  return access.room;
}

async function ownDevice(ctx: DomainContext, actor: Actor, deviceId: string) {
  const device = await findDevice(ctx.db, deviceId);
  if (!device || device.userId !== actor.user.id) throw notFound('device');
  return device;
}

/** Registers one of the caller's devices; registering the same id and key again is harmless. */
export async function doRegisterDevice(
  ctx: DomainContext,
  actor: Actor,
  body: RegisterDeviceBody,
): Promise<{ device: Device; created: boolean }> {
  if (Buffer.from(body.signatureKey, 'base64').length !== 32) throw invalid('signatureKey must be 32 bytes');
  const { row, created } = await insertDevice(ctx.db, { ...body, userId: actor.user.id });
  if (!created && (row.userId !== actor.user.id || row.signatureKey !== body.signatureKey)) {
    throw new AppError('conflict', 'this device id is taken');
  }
  if (created) {
    const device = toDevice(row);
    for (const roomId of await encryptedRoomsOf(ctx.db, actor.user.id)) {
      ctx.notify.roomEvent(roomId, 'device.added', { userId: actor.user.id, deviceId: device.id });
    }
    ctx.notify.userEvent(actor.user.id, 'device.added', { device });
  }
  return { device: toDevice(row), created };
}

export async function listOwnDevices(ctx: DomainContext, actor: Actor): Promise<Device[]> {
  return (await listDevices(ctx.db, actor.user.id)).map(toDevice);
}

/** Any logged-in user may read anyone's device list: public keys, which credentials are checked against. */
export async function listUserDevices(ctx: DomainContext, userRef: string): Promise<{ user: User; devices: Device[] }> {
  const row = isId(userRef)
    ? (await findUsersByIds(ctx.db, [userRef]))[0]
    : await findUserByUsername(ctx.db, userRef.trim().toLowerCase());
  if (!row) throw notFound('user');
  return { user: toUser(row), devices: (await listDevices(ctx.db, row.id)).map(toDevice) };
}

/**
 * Removes one of the caller's devices (lost or retired). Every encrypted room of the user must drop it from
 * its group: messages there wait for the commit that does.
 */
export async function doRemoveDevice(ctx: DomainContext, actor: Actor, deviceId: string): Promise<void> {
  await ownDevice(ctx, actor, deviceId);
  const roomIds = await encryptedRoomsOf(ctx.db, actor.user.id);
  await ctx.db.transaction(async (tx) => {
    await deleteDevice(tx, deviceId);
    await markCommitRequired(tx, roomIds);
  });
  for (const roomId of roomIds) {
    ctx.notify.roomEvent(roomId, 'device.removed', { userId: actor.user.id, deviceId });
  }
  ctx.notify.userEvent(actor.user.id, 'device.removed', { deviceId });
}

/**
 * Stores KeyPackages for one of the caller's devices. Each must be a KeyPackage of the declared suite whose
 * credential names this very device with the key the server lists for it, so the directory never hands out a
 * package that puts someone else's key under this device's name.
 */
export async function doUploadKeyPackages(
  ctx: DomainContext,
  actor: Actor,
  deviceId: string,
  body: UploadKeyPackagesBody,
): Promise<number> {
  const device = await ownDevice(ctx, actor, deviceId);
  const all = body.lastResort === undefined ? body.keyPackages : [...body.keyPackages, body.lastResort];
  for (const kp of all) {
    const info = inspectBase64(kp, 'keyPackage');
    if (info.wireformat !== 'mls_key_package') throw invalid('keyPackages must hold MLS KeyPackages');
    if (suiteNumber(info.cipherSuite) !== String(body.suite))
      throw invalid(`a KeyPackage is not of suite ${body.suite}`);
    if (info.device?.userId !== actor.user.id || info.device.deviceId !== deviceId) {
      throw invalid('a KeyPackage names another device');
    }
    if (!sameKey(info.signaturePublicKey, device.signatureKey)) {
      throw invalid("a KeyPackage's key is not this device's key");
    }
  }
  const available = await countKeyPackages(ctx.db, deviceId, body.suite);
  if (available + body.keyPackages.length > MAX_KEY_PACKAGES_PER_DEVICE) {
    throw invalid(`at most ${MAX_KEY_PACKAGES_PER_DEVICE} unused KeyPackages per device and suite`);
  }
  await insertKeyPackages(ctx.db, deviceId, body.suite, body.keyPackages, body.lastResort);
  return available + body.keyPackages.length;
}

export async function keyPackagesLeft(
  ctx: DomainContext,
  actor: Actor,
  deviceId: string,
  suite: RoomSuite,
): Promise<number> {
  await ownDevice(ctx, actor, deviceId);
  return countKeyPackages(ctx.db, deviceId, suite);
}

/**
 * Claims one KeyPackage per device of a member, to add them to the room's group. Both the caller and the
 * target must be members of the room, so packages cannot be drained by strangers.
 */
export async function doClaimKeyPackages(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  userId: string,
): Promise<ClaimedKeyPackage[]> {
  await ctx.limits.consume('join', actor.user.id);
  const room = await encryptedRoomFor(ctx, actor, roomId);
  if (!isId(userId) || (await findRole(ctx.db, room.id, userId)) === null) throw notFound('member');
  const claimed: ClaimedKeyPackage[] = [];
  for (const device of await listDevices(ctx.db, userId)) {
    const keyPackage = await claimKeyPackage(ctx.db, device.id, room.suite!);
    if (keyPackage !== undefined) claimed.push({ deviceId: device.id, keyPackage });
  }
  return claimed;
}

export async function getGroup(ctx: DomainContext, actor: Actor, roomId: string): Promise<GroupState> {
  const room = await encryptedRoomFor(ctx, actor, roomId);
  const group = await findGroup(ctx.db, room.id);
  return {
    roomId: room.id,
    suite: room.suite as RoomSuite,
    epoch: room.mlsEpoch,
    ...(group ? { groupInfo: group.groupInfo } : {}),
    commitRequired: room.commitRequired,
  };
}

function checkGroupInfo(room: RoomRow, groupInfo: string, epoch: number): void {
  const info = inspectBase64(groupInfo, 'groupInfo');
  if (info.wireformat !== 'mls_group_info') throw invalid('groupInfo must be an MLS GroupInfo');
  if (groupIdOf(info) !== room.id) throw invalid('groupInfo belongs to another room');
  if (Number(info.epoch) !== epoch) throw invalid(`groupInfo must be of epoch ${epoch}`);
}

/** Creates the room's group (epoch 0), once: the first member's device does it right after creating the room. */
export async function doCreateGroup(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  groupInfo: string,
): Promise<void> {
  const room = await encryptedRoomFor(ctx, actor, roomId);
  checkGroupInfo(room, groupInfo, 0);
  const created = await ctx.db.transaction((tx) => createGroup(tx, room.id, groupInfo, ctx.now()));
  if (!created) throw new AppError('conflict', 'the group exists: join it');
  ctx.notify.roomEvent(room.id, 'group.created', { epoch: 0 });
}

/**
 * Accepts a commit if it was made for the room's current epoch (compare-and-set under the room row's lock),
 * stores it in the room's seq order with the new GroupInfo and any Welcome, then fans it out. An external
 * commit is accepted only from one of the caller's own registered devices, with the key listed for it.
 */
export async function doCommit(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  body: CommitBody,
): Promise<{ seq: number; epoch: number }> {
  await ctx.limits.consume('sendUserRoom', `${actor.user.id}:${roomId}`);
  const room = await encryptedRoomFor(ctx, actor, roomId);
  const info = inspectBase64(body.commit, 'commit');
  if (
    (info.wireformat !== 'mls_private_message' && info.wireformat !== 'mls_public_message') ||
    info.contentType !== 'commit'
  ) {
    throw invalid('commit must be an MLS commit');
  }
  if (groupIdOf(info) !== room.id) throw invalid('commit belongs to another room');
  if (Number(info.epoch) !== body.epoch) throw invalid("epoch does not match the commit's own epoch");
  checkGroupInfo(room, body.groupInfo, body.epoch + 1);
  if (info.device !== undefined) {
    // An external commit: a member's own device joining or rejoining.
    const device = await findDevice(ctx.db, info.device.deviceId);
    if (
      info.device.userId !== actor.user.id ||
      device?.userId !== actor.user.id ||
      !sameKey(info.signaturePublicKey, device.signatureKey)
    ) {
      throw forbidden('an external commit must come from one of your registered devices');
    }
  }
  const now = ctx.now();
  const welcomeDevices = [...new Set(body.welcomeDevices ?? [])];
  /** The members the Welcome is for: told once it is stored. */
  const welcomed = new Set<string>();
  const message = await ctx.db.transaction(async (tx) => {
    const membership = await findMembership(tx, room.id, actor.user.id);
    if (!membership) throw forbidden('you are no longer a member of this room');
    for (const deviceId of welcomeDevices) {
      const device = await findDevice(tx, deviceId);
      if (!device) throw invalid(`unknown device ${deviceId}`);
      if (!welcomed.has(device.userId) && !(await findMembership(tx, room.id, device.userId))) {
        throw invalid('a Welcome may go only to members of the room');
      }
      welcomed.add(device.userId);
    }
    const seq = await advanceEpoch(tx, room.id, body.epoch);
    if (seq === undefined) {
      throw new AppError('stale_epoch', 'another commit won this epoch: process it and try again');
    }
    const row = await insertMessage(tx, {
      roomId: room.id,
      seq,
      senderId: actor.user.id,
      ciphertext: body.commit,
      kind: 'commit',
      epoch: body.epoch,
      createdAt: now,
    });
    await saveGroupInfo(tx, room.id, body.epoch + 1, body.groupInfo, now);
    if (body.welcome) await insertWelcomes(tx, room.id, seq, body.welcome, welcomeDevices);
    return toMessage(row!, actor.user) satisfies Message;
  });
  ctx.notify.messagePosted(message);
  for (const userId of welcomed) ctx.notify.userEvent(userId, 'group.welcome', { roomId: room.id, seq: message.seq });
  return { seq: message.seq, epoch: body.epoch + 1 };
}

export async function listOwnWelcomes(
  ctx: DomainContext,
  actor: Actor,
  deviceId: string,
  roomId: string | undefined,
): Promise<Welcome[]> {
  await ownDevice(ctx, actor, deviceId);
  if (roomId !== undefined && !isId(roomId)) return [];
  return listWelcomes(ctx.db, deviceId, roomId);
}

export async function doDeleteWelcome(
  ctx: DomainContext,
  actor: Actor,
  deviceId: string,
  welcomeId: string,
): Promise<void> {
  await ownDevice(ctx, actor, deviceId);
  if (!isId(welcomeId) || !(await deleteWelcome(ctx.db, deviceId, welcomeId))) throw notFound('welcome');
}

/**
 * A member's client says a message failed decryption, verification or the transcript check. The report names
 * the seq and the reason, never content; the detection rules and room admins see it.
 */
export async function doReportIntegrity(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  body: IntegrityReportBody,
): Promise<void> {
  await ctx.limits.consume('join', actor.user.id);
  const room = await encryptedRoomFor(ctx, actor, roomId);
  ctx.security({
    kind: 'integrity.failed',
    userId: actor.user.id,
    ip: actor.ip ?? null,
    roomId: room.id,
    details: {
      reason: body.reason,
      ...(body.seq !== undefined ? { seq: body.seq } : {}),
      ...(body.detail ? { detail: body.detail } : {}),
    },
  });
}

/**
 * The server's binding of a franking commitment to where and from whom it arrived (E2E-17): HMAC-SHA256 under
 * a key derived from the master key. A report is checked against it, so an edited row cannot frame anyone.
 */
export function bindFranking(
  ctx: Pick<DomainContext, 'sealer'>,
  at: { roomId: string; seq: number; senderId: string; now: Date },
  commitment: string,
): string {
  return createHmac('sha256', ctx.sealer.derivedKey('franking'))
    .update(`salon/franking/v1|${at.roomId}|${at.seq}|${at.senderId}|${at.now.toISOString()}|${commitment}`)
    .digest('base64');
}

const equalB64 = (a: string, b: string) => {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b, 'base64');
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * A member reports an encrypted message by revealing its text and franking key. The report is stored only if
 * the key's commitment to the text is the one the sender sent, and the server's binding of it to this room,
 * seq and sender holds; moderators then see the text and may act. Anything else is refused, and recorded.
 */
export async function doReportMessage(
  ctx: DomainContext,
  actor: Actor,
  roomId: string,
  body: ReportBody,
): Promise<MessageReport> {
  await ctx.limits.consume('invite', actor.user.id);
  const room = await encryptedRoomFor(ctx, actor, roomId);
  const stored = await findMessageForReport(ctx.db, room.id, body.seq);
  if (!stored || stored.kind === 'commit' || stored.deletedAt) throw notFound('message');
  if (!stored.frankingTag || !stored.frankingBinding) throw invalid('this message carries no franking commitment');
  const commitment = createHmac('sha256', Buffer.from(body.key, 'base64')).update(body.text, 'utf8').digest('base64');
  const binding = bindFranking(
    ctx,
    { roomId: room.id, seq: body.seq, senderId: stored.senderId, now: stored.createdAt },
    stored.frankingTag,
  );
  if (!equalB64(commitment, stored.frankingTag) || !equalB64(binding, stored.frankingBinding)) {
    ctx.security({
      kind: 'integrity.failed',
      userId: actor.user.id,
      ip: actor.ip ?? null,
      roomId: room.id,
      details: { reason: 'report_unverified', seq: body.seq },
    });
    throw new AppError('report_unverified', 'the text and key do not match what the sender committed to');
  }
  const row = await insertReport(ctx.db, {
    roomId: room.id,
    seq: body.seq,
    senderId: stored.senderId,
    reporterId: actor.user.id,
    text: body.text,
    reason: body.reason ?? '',
    createdAt: ctx.now(),
  });
  const users = await findUsersByIds(ctx.db, [stored.senderId, actor.user.id]);
  const report = toReport(row, users);
  for (const member of await listMembers(ctx.db, room.id)) {
    if (can(member.role, 'message.delete_any')) {
      ctx.notify.userEvent(member.user.id, 'report.created', { roomId: room.id, reportId: report.id, seq: report.seq });
    }
  }
  return report;
}

/** Verified reports of a room, for those who may act on any message (moderators and above). */
export async function listRoomReports(ctx: DomainContext, actor: Actor, roomId: string): Promise<MessageReport[]> {
  const access = await accessRoomFor(ctx, actor, roomId, 'message.delete_any');
  const rows = await listReports(ctx.db, access.room.id);
  const ids = [...new Set(rows.flatMap((r) => [r.senderId, r.reporterId]).filter((id): id is string => !!id))];
  const users = await findUsersByIds(ctx.db, ids);
  return rows.map((r) => toReport(r, users));
}

function toReport(
  row: Awaited<ReturnType<typeof insertReport>>,
  users: Array<{ id: string; username: string; displayName: string }>,
): MessageReport {
  const user = (id: string | null) => {
    const found = id ? users.find((u) => u.id === id) : undefined;
    return found ? toUser(found) : null;
  };
  return {
    id: row.id,
    roomId: row.roomId,
    seq: row.seq,
    sender: user(row.senderId),
    reporter: user(row.reporterId),
    text: row.text,
    reason: row.reason,
    verified: true,
    createdAt: row.createdAt.toISOString(),
  };
}
