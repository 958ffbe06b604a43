import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  pgSchema,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    isPlatformAdmin: boolean('is_platform_admin').notNull().default(false),
    /** Which send budget applies: 'bot' accounts (integrations posting instrument data) get a higher one. */
    limitTier: text('limit_tier', { enum: ['standard', 'bot'] })
      .notNull()
      .default('standard'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_key').on(t.username)],
);

/** Sessions keep only a SHA-256 of the token: a leaked table cannot be replayed as cookies. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_id_idx').on(t.userId)],
);

export const rooms = pgTable(
  'rooms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    visibility: text('visibility', { enum: ['public', 'private'] }).notNull(),
    topic: text('topic').notNull().default(''),
    encrypted: boolean('encrypted').notNull().default(false),
    /** MLS ciphersuite of an encrypted room (84 or 3), fixed at creation; null for plaintext rooms. */
    suite: integer('suite'),
    /** Current MLS epoch of an encrypted room's group; null until its first member creates the group. */
    mlsEpoch: bigint('mls_epoch', { mode: 'number' }),
    /**
     * Set when a member or device left an encrypted room: application messages are refused until a commit
     * (which honest clients make remove every device that is no longer a member's) advances the epoch.
     */
    commitRequired: boolean('commit_required').notNull().default(false),
    /** Highest seq handed out; bumped under the row lock in the same transaction as the insert. */
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
    retentionSeconds: integer('retention_seconds'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('rooms_name_lower_key').on(sql`lower(${t.name})`)],
);

export const roomMembers = pgTable(
  'room_members',
  {
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'admin', 'moderator', 'member'] }).notNull(),
    /** A timed mute: the member may read but not send until then. */
    mutedUntil: timestamp('muted_until', { withTimezone: true, mode: 'date' }),
    joinedAt: timestamp('joined_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] }), index('room_members_user_id_idx').on(t.userId)],
);

export const messages = pgTable(
  'messages',
  {
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    senderId: uuid('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body'),
    ciphertext: text('ciphertext'),
    /**
     * Plaintext rooms: the body sealed at rest (XChaCha20-Poly1305, base64 nonce | ciphertext) under the room key
     * `bodyKeyId` of its expiry period. `body` stays null for sealed rows; older rows may still hold it.
     */
    sealedBody: text('sealed_body'),
    bodyKeyId: uuid('body_key_id'),
    /** Encrypted rooms: 'commit' for an MLS commit relayed in the room's order; null for a message. */
    kind: text('kind', { enum: ['commit'] }),
    /** Encrypted rooms: the MLS epoch the ciphertext was made in (read from its cleartext header). */
    epoch: bigint('epoch', { mode: 'number' }),
    /** Encrypted rooms: the sender's franking commitment (HMAC of the text under a key inside the ciphertext). */
    frankingTag: text('franking_tag'),
    /** The server's binding of that commitment to room, seq, sender and time (HMAC under a server key). */
    frankingBinding: text('franking_binding'),
    clientMsgId: text('client_msg_id'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    editedAt: timestamp('edited_at', { withTimezone: true, mode: 'date' }),
    /** A deleted message keeps its row (seqs stay gapless) but loses its content. */
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    primaryKey({ columns: [t.roomId, t.seq] }),
    uniqueIndex('messages_client_msg_id_key')
      .on(t.roomId, t.senderId, t.clientMsgId)
      .where(sql`${t.clientMsgId} is not null`),
    // The purge reads expired rows through this index: no full-table scan, however large the history.
    index('messages_expires_at_idx').on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
  ],
);

export const roomBans = pgTable(
  'room_bans',
  {
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull().default(''),
    bannedBy: uuid('banned_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    inviteeId: uuid('invitee_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    inviterId: uuid('inviter_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  // One pending invitation per user and room; accepting or declining deletes it.
  (t) => [
    uniqueIndex('invitations_room_invitee_key').on(t.roomId, t.inviteeId),
    index('invitations_invitee_idx').on(t.inviteeId),
  ],
);

/** Invite links: only a SHA-256 of the token is stored, so the table cannot be turned into working links. */
export const inviteLinks = pgTable(
  'invite_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    maxUses: integer('max_uses').notNull(),
    uses: integer('uses').notNull().default(0),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [index('invite_links_room_idx').on(t.roomId)],
);

export const joinRequests = pgTable(
  'join_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('join_requests_room_user_key').on(t.roomId, t.userId)],
);

/**
 * Append-only governance log. Entries form one hash chain per scope (a room id, or 'platform'): each
 * entry's hash covers its content and the previous entry's hash, so an edited or deleted row breaks the chain.
 * No foreign key on the room: the log outlives a deleted room.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    scope: text('scope').notNull(),
    position: integer('position').notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targetId: uuid('target_id'),
    details: text('details').notNull().default('{}'),
    createdAt: createdAt(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.position] })],
);

/** Every security-relevant fact, kept for detection rules and for admins (never message content). */
export const securityEvents = pgTable(
  'security_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    userId: uuid('user_id'),
    ip: text('ip'),
    roomId: uuid('room_id'),
    details: text('details').notNull().default('{}'),
    createdAt: createdAt(),
  },
  (t) => [index('security_events_kind_time_idx').on(t.kind, t.createdAt)],
);

/** What the detection rules concluded, with the automatic response taken. */
export const securityAlerts = pgTable(
  'security_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    rule: text('rule').notNull(),
    severity: text('severity', { enum: ['low', 'medium', 'high'] }).notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id'),
    ip: text('ip'),
    roomId: uuid('room_id'),
    summary: text('summary').notNull(),
    response: text('response').notNull().default('none'),
    createdAt: createdAt(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('security_alerts_time_idx').on(t.createdAt), index('security_alerts_room_idx').on(t.roomId)],
);

/** The latest GroupInfo of each encrypted room, for external joiners (a new device, or one recovering). */
export const roomGroups = pgTable('room_groups', {
  roomId: uuid('room_id')
    .primaryKey()
    .references(() => rooms.id, { onDelete: 'cascade' }),
  epoch: bigint('epoch', { mode: 'number' }).notNull(),
  groupInfo: text('group_info').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** A user's end-to-end encryption devices (browser or CLI profiles): the Ed25519 key their credentials carry. */
export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Base64 of the raw 32-byte Ed25519 public key. */
    signatureKey: text('signature_key').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('devices_user_idx').on(t.userId)],
);

/** The KeyPackage directory: single-use packages are deleted when claimed; a last-resort one is reused. */
export const keyPackages = pgTable(
  'key_packages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    suite: integer('suite').notNull(),
    keyPackage: text('key_package').notNull(),
    lastResort: boolean('last_resort').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index('key_packages_device_suite_idx').on(t.deviceId, t.suite, t.lastResort)],
);

/** Welcome messages waiting for the device they were encrypted to. */
export const welcomes = pgTable(
  'welcomes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    /** Seq of the commit that carried it: the new member reads the room from there. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    welcome: text('welcome').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('welcomes_device_idx').on(t.deviceId, t.roomId)],
);

/** TOTP second factor (RFC 6238): enabled once a first code confirms the enrolment. */
export const userTotp = pgTable('user_totp', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secret: text('secret').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true, mode: 'date' }),
  /** Last accepted time step: a code is accepted once (no replay inside its window). */
  lastStep: bigint('last_step', { mode: 'number' }),
  createdAt: createdAt(),
});

/** Single-use recovery codes for the second factor; only SHA-256 hashes are kept. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/**
 * Keys of message bodies at rest, in their own schema so that database backups leave them out (back up with
 * `pg_dump --exclude-schema=salon_keys`): destroying a key row then shreds every copy of the bodies it sealed,
 * the backups included. Each key is wrapped by the master key (SALON_MASTER_KEY); no foreign keys cross over.
 */
export const salonKeys = pgSchema('salon_keys');

export const roomKeys = salonKeys.table(
  'room_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id').notNull(),
    /** Start of the expiry period (Unix seconds) whose messages the key seals; -1 for messages that never expire. */
    period: bigint('period', { mode: 'number' }).notNull(),
    /** base64 nonce | XChaCha20-Poly1305(master key, data key), bound to room and period. */
    wrappedKey: text('wrapped_key').notNull(),
    /** Which master key wrapped it (first bytes of its SHA-256), for rotation. */
    masterKeyId: text('master_key_id').notNull(),
    /** When every message the key sealed has expired: the purge destroys the key then. Null: never. */
    destroyAfter: timestamp('destroy_after', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('room_keys_room_period_key').on(t.roomId, t.period),
    index('room_keys_destroy_idx').on(t.destroyAfter).where(sql`${t.destroyAfter} is not null`),
  ],
);

/**
 * Verified abuse reports of encrypted messages: the reporter revealed the text and its franking key, and both
 * matched the commitment stored with the message. Only the reported text is here, by the reporter's choice.
 */
export const messageReports = pgTable(
  'message_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roomId: uuid('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    senderId: uuid('sender_id').references(() => users.id, { onDelete: 'set null' }),
    reporterId: uuid('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    reason: text('reason').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [index('message_reports_room_idx').on(t.roomId, t.createdAt)],
);
