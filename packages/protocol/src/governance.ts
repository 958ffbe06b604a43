import { z } from 'zod';
import {
  IdSchema,
  RoleSchema,
  RoomNameSchema,
  TopicSchema,
  UsernameSchema,
  UserSchema,
  VisibilitySchema,
} from './entities.js';
import { MAX_RETENTION_SECONDS, MIN_RETENTION_SECONDS } from './limits.js';

/** Longest a timed mute or an invite link may last (30 days). */
export const MAX_GOVERNANCE_SECONDS = 30 * 24 * 3600;
const ReasonSchema = z.string().trim().max(500);

export const InvitationSchema = z.object({
  id: z.string(),
  room: z.object({ id: z.string(), name: z.string() }),
  inviter: UserSchema,
  createdAt: z.string(),
});
export type Invitation = z.infer<typeof InvitationSchema>;

export const InviteLinkSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  maxUses: z.number().int(),
  uses: z.number().int(),
});
export type InviteLink = z.infer<typeof InviteLinkSchema>;

export const InviteBodySchema = z.strictObject({ username: UsernameSchema });
export const CreateLinkBodySchema = z.strictObject({
  expiresInSeconds: z.number().int().min(60).max(MAX_GOVERNANCE_SECONDS),
  maxUses: z.number().int().min(1).max(10_000),
});
export const UpdateRoomBodySchema = z
  .strictObject({
    name: RoomNameSchema.optional(),
    topic: TopicSchema.optional(),
    visibility: VisibilitySchema.optional(),
    /** null clears the room's retention (messages kept until deleted). */
    retentionSeconds: z.number().int().min(MIN_RETENTION_SECONDS).max(MAX_RETENTION_SECONDS).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
export const SetRoleBodySchema = z.strictObject({ role: RoleSchema });
export const KickBodySchema = z.strictObject({ reason: ReasonSchema.optional() });
export const BanBodySchema = z.strictObject({ userId: IdSchema, reason: ReasonSchema.optional() });
export const MuteBodySchema = z.strictObject({ seconds: z.number().int().min(1).max(MAX_GOVERNANCE_SECONDS) });
export const JoinRequestBodySchema = z.strictObject({ roomName: z.string().trim().min(1).max(64) });

export const JoinRequestSchema = z.object({ id: z.string(), user: UserSchema, createdAt: z.string() });
export type JoinRequest = z.infer<typeof JoinRequestSchema>;

export const AuditEntrySchema = z.object({
  position: z.number().int(),
  actor: UserSchema.nullable(),
  action: z.string(),
  target: UserSchema.nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditResponseSchema = z.object({
  entries: z.array(AuditEntrySchema),
  verified: z.boolean(),
  brokenAt: z.number().int().optional(),
});
export type AuditResponse = z.infer<typeof AuditResponseSchema>;
