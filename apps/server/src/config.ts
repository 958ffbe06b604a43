import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  };
}
