import { z } from 'zod';
import { UserSchema } from './entities.js';

/** A TOTP code as authenticator apps show it: six digits (spaces are tolerated, as people type them). */
export const TotpCodeSchema = z
  .string()
  .max(16)
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'six digits'));

/** A recovery code as shown at enrolment (`xxxxx-xxxxx`); case, dashes and spaces do not matter. */
export const RecoveryCodeSchema = z
  .string()
  .max(64)
  .transform((s) => s.replace(/[\s-]+/g, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z2-7]{10}$/, 'ten letters and digits'));

/** How many recovery codes an enrolment hands out. */
export const RECOVERY_CODE_COUNT = 10;

export const TotpSetupResponseSchema = z.object({
  /** Base32 secret, for typing into an authenticator by hand. */
  secret: z.string(),
  /** `otpauth://totp/...` URI (the content of the usual QR code). */
  uri: z.string(),
});
export type TotpSetupResponse = z.infer<typeof TotpSetupResponseSchema>;

export const TotpConfirmBodySchema = z.strictObject({ code: TotpCodeSchema });
export type TotpConfirmBody = z.infer<typeof TotpConfirmBodySchema>;

export const TotpConfirmResponseSchema = z.object({
  /** Shown once: the server keeps only their SHA-256. */
  recoveryCodes: z.array(z.string()),
});
export type TotpConfirmResponse = z.infer<typeof TotpConfirmResponseSchema>;

/** Turning the second factor off takes a current code or the account password. */
export const TotpDisableBodySchema = z
  .strictObject({ code: TotpCodeSchema.optional(), password: z.string().min(1).max(1024).optional() })
  .refine((b) => (b.code === undefined) !== (b.password === undefined), 'give either code or password');
export type TotpDisableBody = z.infer<typeof TotpDisableBodySchema>;

/** Send budget of an account: `bot` (integrations posting instrument data) gets a higher one. */
export const LimitTierSchema = z.enum(['standard', 'bot']);
export type LimitTier = z.infer<typeof LimitTierSchema>;

export const SetLimitTierBodySchema = z.strictObject({ tier: LimitTierSchema });
export type SetLimitTierBody = z.infer<typeof SetLimitTierBodySchema>;

/** What `GET /api/me` tells about the caller's own account besides `user`. */
export const AccountSchema = z.object({
  platformAdmin: z.boolean(),
  totpEnabled: z.boolean(),
  /** The platform requires a second factor (`SALON_REQUIRE_TOTP=1`): without one, only enrolment is allowed. */
  totpRequired: z.boolean(),
  tier: LimitTierSchema,
});
export type Account = z.infer<typeof AccountSchema>;

export const MeResponseSchema = z.object({ user: UserSchema, account: AccountSchema });
export type MeResponse = z.infer<typeof MeResponseSchema>;

/** A session as listed by `GET /api/sessions` and carried by `security.new_login`. */
export const SessionInfoSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  lastSeenAt: z.string().optional(),
  current: z.boolean().optional(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** A detection rule's conclusion, as `GET /api/admin/alerts` lists it and `security.alert` carries it. */
export const SecurityAlertSchema = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.enum(['low', 'medium', 'high']),
  summary: z.string(),
  response: z.string(),
  userId: z.string().nullable(),
  ip: z.string().nullable(),
  roomId: z.string().nullable(),
  createdAt: z.string(),
  acknowledgedAt: z.string().nullable(),
});
export type SecurityAlert = z.infer<typeof SecurityAlertSchema>;
