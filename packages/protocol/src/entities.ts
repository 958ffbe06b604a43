import { z } from 'zod';

/** Usernames: 3-32 characters of [a-z0-9_.-]; input is lower-cased first. */
export const UsernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'at least 3 characters')
  .max(32, 'at most 32 characters')
  .regex(/^[a-z0-9_.-]+$/, 'only a-z, 0-9, "_", "." and "-"');

/** Passwords: at least 10 characters; the upper bound keeps hashing cheap to refuse. */
export const PasswordSchema = z.string().min(10, 'at least 10 characters').max(1024, 'at most 1024 characters');

export const DisplayNameSchema = z.string().trim().min(1).max(64);

/** Room names: letters, digits, spaces and "_.-", starting with a letter or digit. */
export const RoomNameSchema = z
  .string()
  .trim()
  .min(2, 'at least 2 characters')
  .max(64, 'at most 64 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.-]*$/u, 'letters, digits, spaces, "_", "." and "-"');

export const TopicSchema = z.string().trim().max(500);
export const VisibilitySchema = z.enum(['public', 'private']);
export const RoleSchema = z.enum(['owner', 'admin', 'moderator', 'member']);
export type Role = z.infer<typeof RoleSchema>;

/** Opaque identifier (rooms, users, invitations). */
export const IdSchema = z.string().min(1).max(64);
export const SeqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
});
export type User = z.infer<typeof UserSchema>;

export const RoomSchema = z.object({
  id: z.string(),
  name: z.string(),
  visibility: VisibilitySchema,
  topic: z.string(),
  encrypted: z.boolean(),
  /** MLS ciphersuite of an encrypted room (84 or 3), fixed at creation. */
  suite: z.number().int().optional(),
  createdAt: z.string(),
  lastSeq: z.number().int(),
  role: RoleSchema.optional(),
  joined: z.boolean(),
  /** Messages posted now expire this many seconds after they are sent; absent when retention is off. */
  retentionSeconds: z.number().int().optional(),
});
export type Room = z.infer<typeof RoomSchema>;

export const MessageSchema = z.object({
  roomId: z.string(),
  seq: z.number().int(),
  sender: UserSchema,
  body: z.string().optional(),
  ciphertext: z.string().optional(),
  /** Encrypted rooms: 'commit' marks an MLS commit (ciphertext holds it); absent for a message. */
  kind: z.literal('commit').optional(),
  /** Encrypted rooms: the MLS epoch the ciphertext was made in. */
  epoch: z.number().int().optional(),
  /** Encrypted rooms: the sender's franking commitment; recipients check it against the decrypted text. */
  franking: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  editedAt: z.string().optional(),
  /** Set on a deleted message: its content is gone from the store, its seq stays. */
  deletedAt: z.string().optional(),
});
export type Message = z.infer<typeof MessageSchema>;

export const MemberSchema = z.object({
  user: UserSchema,
  role: RoleSchema,
  joinedAt: z.string(),
  /** Present while the member is muted. */
  mutedUntil: z.string().optional(),
});
export type Member = z.infer<typeof MemberSchema>;
