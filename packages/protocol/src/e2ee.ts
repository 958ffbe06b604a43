import { z } from 'zod';
import { IdSchema, SeqSchema, UserSchema } from './entities.js';

/**
 * End-to-end encryption: the delivery-service side of MLS (RFC 9420). The server stores and relays these
 * opaque, base64-encoded MLS structures; it never holds a key that could open them.
 */

/** MLS ciphersuites a room may use: 84 = X-Wing / ChaCha20-Poly1305 / SHA-512 / Ed25519 (default), 3 = compact. */
export const SUITE_IDS = [84, 3] as const;
export const DEFAULT_ROOM_SUITE = 84;
export const SuiteIdSchema = z.union([z.literal(84), z.literal(3)]);
export type RoomSuite = z.infer<typeof SuiteIdSchema>;

/** Largest base64 MLS structure (commit, GroupInfo, Welcome): a post-quantum commit for 200 members is ~0.7 MB. */
export const MAX_MLS_CHARS = 3_000_000;
/** Largest REST body on the routes that carry MLS handshakes. */
export const MAX_MLS_BODY_BYTES = 8 * 1024 * 1024;
/** Largest base64 KeyPackage; most single-use packages one device may hold per suite. */
export const MAX_KEY_PACKAGE_CHARS = 8_000;
export const MAX_KEY_PACKAGES_PER_DEVICE = 100;

export const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const mls = (max: number) => Base64Schema.min(4).max(max);

/** Device ids are chosen by the device (random, URL-safe) because its MLS credential names it before upload. */
export const DeviceIdSchema = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'only A-Z, a-z, 0-9, "_" and "-"');

export const DeviceSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  /** Base64 of the raw Ed25519 public key. */
  signatureKey: z.string(),
  /** SHA-256 of the key, hex in groups of four: what people compare. */
  fingerprint: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
});
export type Device = z.infer<typeof DeviceSchema>;

export const RegisterDeviceBodySchema = z.strictObject({
  id: DeviceIdSchema,
  name: z.string().trim().min(1).max(64),
  /** Raw 32-byte Ed25519 public key, base64 (44 characters). */
  signatureKey: Base64Schema.length(44),
});
export type RegisterDeviceBody = z.infer<typeof RegisterDeviceBodySchema>;

export const UploadKeyPackagesBodySchema = z.strictObject({
  suite: SuiteIdSchema,
  keyPackages: z.array(mls(MAX_KEY_PACKAGE_CHARS)).max(MAX_KEY_PACKAGES_PER_DEVICE),
  lastResort: mls(MAX_KEY_PACKAGE_CHARS).optional(),
});
export type UploadKeyPackagesBody = z.infer<typeof UploadKeyPackagesBodySchema>;

export const KeyPackageCountQuerySchema = z.strictObject({ suite: z.coerce.number().pipe(SuiteIdSchema) });

export const ClaimKeyPackagesBodySchema = z.strictObject({ userId: IdSchema });
export const ClaimedKeyPackageSchema = z.object({ deviceId: z.string(), keyPackage: z.string() });
export type ClaimedKeyPackage = z.infer<typeof ClaimedKeyPackageSchema>;

export const GroupStateSchema = z.object({
  roomId: z.string(),
  suite: SuiteIdSchema,
  /** Null until the group exists. */
  epoch: z.number().int().nullable(),
  /** The latest GroupInfo (with the ratchet tree and the external public key), for external joins. */
  groupInfo: z.string().optional(),
  /** True while a member or device left and no commit has followed: messages are refused until one does. */
  commitRequired: z.boolean(),
});
export type GroupState = z.infer<typeof GroupStateSchema>;

export const CreateGroupBodySchema = z.strictObject({ groupInfo: mls(MAX_MLS_CHARS) });

export const CommitBodySchema = z
  .strictObject({
    /** The epoch the commit was made in: accepted only if it is still the room's epoch (compare-and-set). */
    epoch: SeqSchema,
    commit: mls(MAX_MLS_CHARS),
    /** GroupInfo of the epoch the commit creates. */
    groupInfo: mls(MAX_MLS_CHARS),
    welcome: mls(MAX_MLS_CHARS).optional(),
    /** The devices the Welcome is encrypted to (those whose KeyPackages the commit adds). */
    welcomeDevices: z.array(DeviceIdSchema).min(1).max(1000).optional(),
  })
  .refine((b) => (b.welcome === undefined) === (b.welcomeDevices === undefined), {
    message: 'welcome and welcomeDevices go together',
  });
export type CommitBody = z.infer<typeof CommitBodySchema>;

export const WelcomeSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  /** Seq of the commit that carried it: process messages after it. */
  seq: z.number().int(),
  welcome: z.string(),
  createdAt: z.string(),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

export const WelcomesQuerySchema = z.strictObject({ roomId: IdSchema.optional() });

/** What a client reports when a message of an encrypted room fails its checks (never the plaintext). */
export const IntegrityReasonSchema = z.enum(['decrypt_failed', 'gap', 'fork', 'replay', 'credential_rejected']);
export const IntegrityReportBodySchema = z.strictObject({
  seq: SeqSchema.optional(),
  reason: IntegrityReasonSchema,
  detail: z.string().max(200).optional(),
});
export type IntegrityReportBody = z.infer<typeof IntegrityReportBodySchema>;

export const DevicesResponseSchema = z.object({ user: UserSchema.optional(), devices: z.array(DeviceSchema) });
export const CommitResponseSchema = z.object({ seq: z.number().int(), epoch: z.number().int() });

/** A member reports an encrypted message by revealing its text and franking key. */
export const ReportBodySchema = z.strictObject({
  seq: SeqSchema,
  text: z.string().min(1).max(16_000),
  /** The franking key found inside the decrypted message (base64, 32 bytes). */
  key: Base64Schema.length(44),
  reason: z.string().trim().max(500).optional(),
});
export type ReportBody = z.infer<typeof ReportBodySchema>;

export const MessageReportSchema = z.object({
  id: z.string(),
  roomId: z.string(),
  seq: z.number().int(),
  sender: UserSchema.nullable(),
  reporter: UserSchema.nullable(),
  text: z.string(),
  reason: z.string(),
  /** Always true: reports that do not verify are refused, never stored. */
  verified: z.literal(true),
  createdAt: z.string(),
});
export type MessageReport = z.infer<typeof MessageReportSchema>;
