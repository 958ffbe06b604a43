import { z } from 'zod';
import { RecoveryCodeSchema, TotpCodeSchema } from './account.js';
import { SuiteIdSchema } from './e2ee.js';
import {
  DisplayNameSchema,
  MemberSchema,
  MessageSchema,
  PasswordSchema,
  RoomNameSchema,
  RoomSchema,
  TopicSchema,
  UsernameSchema,
  UserSchema,
  VisibilitySchema,
} from './entities.js';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from './limits.js';

export const RegisterBodySchema = z.strictObject({
  username: UsernameSchema,
  password: PasswordSchema,
  displayName: DisplayNameSchema.optional(),
});
export type RegisterBody = z.infer<typeof RegisterBodySchema>;

/**
 * Login does not re-validate the username's shape: a wrong one is just a failed login. An account with a second
 * factor also needs `totp` (a current code) or `recoveryCode` (one of its single-use codes), not both.
 */
export const LoginBodySchema = z
  .strictObject({
    username: z.string().trim().toLowerCase().min(1).max(64),
    password: z.string().min(1).max(1024),
    totp: TotpCodeSchema.optional(),
    recoveryCode: RecoveryCodeSchema.optional(),
  })
  .refine((b) => b.totp === undefined || b.recoveryCode === undefined, 'give either totp or recoveryCode');
export type LoginBody = z.infer<typeof LoginBodySchema>;

export const CreateRoomBodySchema = z.strictObject({
  name: RoomNameSchema,
  visibility: VisibilitySchema,
  topic: TopicSchema.optional(),
  /** End-to-end encryption; private rooms default to encrypted, public rooms cannot be. Never changes. */
  encrypted: z.boolean().optional(),
  /** MLS ciphersuite of an encrypted room (default 84). */
  suite: SuiteIdSchema.optional(),
});
export type CreateRoomBody = z.infer<typeof CreateRoomBodySchema>;

/** Query-string integers arrive as text. */
const QuerySeq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const HistoryQuerySchema = z.strictObject({
  before: QuerySeq.optional(),
  after: QuerySeq.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT),
});
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

export const UserResponseSchema = z.object({ user: UserSchema });
export const LoginResponseSchema = z.object({ user: UserSchema, token: z.string() });
export const RoomResponseSchema = z.object({ room: RoomSchema });
export const RoomsResponseSchema = z.object({ rooms: z.array(RoomSchema) });
export const MembersResponseSchema = z.object({ members: z.array(MemberSchema) });
export const MessagesResponseSchema = z.object({ messages: z.array(MessageSchema) });
export type LoginResponse = z.infer<typeof LoginResponseSchema>;
