import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LimitRules, limitsFromEnv } from './domain/limits.js';
import type { DatabaseConfig } from './store/db.js';

export interface Config {
  host: string;
  port: number;
  database: DatabaseConfig;
  redisUrl: string | null;
  /** Allowed browser origins; null means the server's own origin only. */
  origins: ReadonlySet<string> | null;
  /** Folder of the built web client, served at `/`. */
  webDir: string;
  logLevel: string;
  /** Mark cookies `Secure` (behind HTTPS). */
  secureCookies: boolean;
  /** Ping interval; a socket that missed the previous pong is dropped. */
  heartbeatMs: number;
  /**
   * Connections the kernel queues before they are accepted (capped by net.core.somaxconn). After a restart every
   * client comes back at once; a short queue drops their SYNs, and TCP retries only after 1, 2, 4... seconds.
   */
  listenBacklog: number;
  /** Bytes a socket may have waiting before it is closed as a slow consumer (4008). */
  maxBufferedBytes: number;
  /** How often each process deletes expired messages (0 disables the purge on this process). */
  purgeIntervalMs: number;
  /** Rate limits (`SALON_LIMITS` JSON overrides the defaults in domain/limits.ts). */
  limits: LimitRules;
  /** Trust X-Forwarded-For from a reverse proxy for client addresses. */
  trustProxy: boolean;
  /** How long a shutdown waits for in-flight work before closing sockets anyway. */
  shutdownGraceMs: number;
  /**
   * Master key wrapping the keys that seal message bodies at rest: SALON_MASTER_KEY (base64, 32 bytes), or the
   * file `masterKeyFile` (created on first start). `previousMasterKeys` (SALON_MASTER_KEYS_PREVIOUS, comma
   * separated) still unwrap during a rotation.
   */
  masterKey: string | null;
  masterKeyFile: string | null;
  previousMasterKeys: string[];
  /** Length of a disappearing-message key period: expired bodies are shredded at most this long after expiry. */
  keyPeriodSeconds: number;
  /** Every account must have a second factor (TOTP): those without one may only enrol. */
  requireTotp: boolean;
}

function intFromEnv(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return n;
}

const defaultWebDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Reads the configuration from environment variables (documented in the README). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const origins = env.SALON_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL }
      : { kind: 'pglite', dataDir: resolve(env.SALON_DATA_DIR ?? 'data') },
    redisUrl: env.REDIS_URL || null,
    origins: origins?.length ? new Set(origins) : null,
    webDir: resolve(env.SALON_WEB_DIR ?? defaultWebDir),
    logLevel: env.LOG_LEVEL ?? 'info',
    secureCookies: env.SALON_SECURE_COOKIES === '1',
    heartbeatMs: intFromEnv(env.SALON_HEARTBEAT_MS, 30_000, 'SALON_HEARTBEAT_MS'),
    listenBacklog: intFromEnv(env.SALON_LISTEN_BACKLOG, 8192, 'SALON_LISTEN_BACKLOG'),
    maxBufferedBytes: intFromEnv(env.SALON_MAX_BUFFERED_BYTES, 8 * 1024 * 1024, 'SALON_MAX_BUFFERED_BYTES'),
    purgeIntervalMs: intFromEnv(env.SALON_PURGE_INTERVAL_MS, 1_000, 'SALON_PURGE_INTERVAL_MS'),
    limits: limitsFromEnv(env.SALON_LIMITS),
    trustProxy: env.SALON_TRUST_PROXY === '1',
    shutdownGraceMs: intFromEnv(env.SALON_SHUTDOWN_GRACE_MS, 5_000, 'SALON_SHUTDOWN_GRACE_MS'),
    requireTotp: env.SALON_REQUIRE_TOTP === '1',
    masterKey: env.SALON_MASTER_KEY || null,
    masterKeyFile: env.SALON_MASTER_KEY ? null : resolve(env.SALON_DATA_DIR ?? 'data', 'master.key'),
    previousMasterKeys: (env.SALON_MASTER_KEYS_PREVIOUS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    keyPeriodSeconds: intFromEnv(env.SALON_KEY_PERIOD_SECONDS, 3600, 'SALON_KEY_PERIOD_SECONDS') || 3600,
  };
}
