import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db, Tx } from '../store/db.js';
import {
  destroyExpiredKeys,
  findOrCreateRoomKey,
  findRoomKeys,
  listAllRoomKeys,
  type RoomKeyRow,
  rewrapRoomKey,
} from '../store/keys.js';
import { XCHACHA_KEY, XCHACHA_NONCE, xchachaNonce, xchachaOpen, xchachaSeal } from './xchacha.js';

/**
 * Bodies of plaintext rooms are sealed at rest with per-room, per-period data keys (XChaCha20-Poly1305), so
 * that expiry reaches backups: a period's key is destroyed once every message it sealed has expired, and
 * then no copy of those bodies (a backup taken before the purge included) can be opened again. Keys live in
 * the `salon_keys` schema, which backups leave out, wrapped by the master key, which never touches the database.
 */

const NONCE = XCHACHA_NONCE;
const KEY = XCHACHA_KEY;
/** Period of messages that never expire: their key lives as long as the room. */
const FOREVER = -1;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A master key and its id (the first 8 bytes of its SHA-256, hex): which key wrapped a row. */
export interface MasterKey {
  id: string;
  key: Uint8Array;
}

export function masterKeyFrom(key: Uint8Array): MasterKey {
  if (key.length !== KEY) throw new Error('a master key is 32 bytes (base64 in SALON_MASTER_KEY)');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/** Decodes SALON_MASTER_KEY-style base64. */
export function parseMasterKey(b64: string): MasterKey {
  return masterKeyFrom(new Uint8Array(Buffer.from(b64.trim(), 'base64')));
}

/**
 * The master key from a file, created (0600) on first start. Several processes on one machine may start at
 * once: the exclusive create lets exactly one write it, and the others read that one.
 */
export function loadOrCreateMasterKeyFile(path: string): MasterKey {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, `${randomBytes(KEY).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return parseMasterKey(readFileSync(path, 'utf8'));
}

/** The master key: SALON_MASTER_KEY when set, else the data folder's key file (created on first start). */
export function resolveMasterKey(config: { masterKey: string | null; masterKeyFile: string | null }): MasterKey {
  if (config.masterKey) return parseMasterKey(config.masterKey);
  if (config.masterKeyFile) return loadOrCreateMasterKeyFile(config.masterKeyFile);
  throw new Error('no master key: set SALON_MASTER_KEY');
}

function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): string {
  const nonce = xchachaNonce();
  return Buffer.concat([nonce, xchachaSeal(key, nonce, plaintext, aad)]).toString('base64');
}

function open(key: Uint8Array, b64: string, aad: Uint8Array): Uint8Array {
  const bytes = Buffer.from(b64, 'base64');
  return xchachaOpen(key, bytes.subarray(0, NONCE), bytes.subarray(NONCE), aad);
}

/** Binds a data key to its room and period, and a body to its room and seq: no row can be swapped for another. */
const keyAad = (roomId: string, period: number) => utf8.encode(`salon/room-key/v1|${roomId}|${period}`);
const bodyAad = (roomId: string, seq: number) => utf8.encode(`salon/body/v1|${roomId}|${seq}`);

interface DataKey {
  id: string;
  key: Uint8Array;
  destroyAfter: Date | null;
}

/** A data key ready to seal the bodies of one room and period. */
export interface SealingKey {
  id: string;
  seal(roomId: string, seq: number, body: string): string;
  /** Keeps a key read or created in a transaction for later sends: call it once that transaction committed. */
  remember(): void;
}

export class BodySealer {
  private readonly keys = new Map<string, DataKey>();
  private readonly byPeriod = new Map<string, DataKey>();
  private readonly masters: Map<string, MasterKey>;

  constructor(
    private readonly db: Db,
    private readonly master: MasterKey,
    /** Earlier master keys, still accepted for unwrapping until `rewrapAll` moved every key to `master`. */
    previous: MasterKey[] = [],
    /** Length of an expiry period: its key is destroyed this long at most after its first message expired. */
    private readonly periodSeconds = 3600,
  ) {
    this.masters = new Map([...previous, master].map((m) => [m.id, m]));
  }

  /**
   * The key for a new message of this room expiring at `expiresAt` (null: never), created if needed through `db`
   * (the sending transaction, so that a key exists exactly when a body sealed with it does).
   */
  async keyFor(roomId: string, expiresAt: Date | null, now: Date, db: Db | Tx = this.db): Promise<SealingKey> {
    const known = this.knownKeyFor(roomId, expiresAt, now);
    if (known) return known;
    const period = this.periodOf(expiresAt);
    const fresh = randomBytes(KEY);
    const row = await findOrCreateRoomKey(db, {
      roomId,
      period,
      wrappedKey: seal(this.master.key, fresh, keyAad(roomId, period)),
      masterKeyId: this.master.id,
      destroyAfter: period === FOREVER ? null : new Date((period + this.periodSeconds) * 1000),
    });
    const found = this.unwrap(row, false);
    return this.sealingKey(found, () => {
      this.keys.set(found.id, found);
      this.byPeriod.set(`${roomId}|${period}`, found);
    });
  }

  /** The key `keyFor` would return, if this process already holds it (no store access); undefined otherwise. */
  knownKeyFor(roomId: string, expiresAt: Date | null, now: Date): SealingKey | undefined {
    const dataKey = this.byPeriod.get(`${roomId}|${this.periodOf(expiresAt)}`);
    if (dataKey === undefined) return undefined;
    if (dataKey.destroyAfter && dataKey.destroyAfter <= now) {
      this.forget(dataKey);
      return undefined;
    }
    return this.sealingKey(dataKey, () => {});
  }

  private periodOf(expiresAt: Date | null): number {
    return expiresAt === null
      ? FOREVER
      : Math.floor(expiresAt.getTime() / 1000 / this.periodSeconds) * this.periodSeconds;
  }

  private sealingKey({ id, key }: DataKey, remember: () => void): SealingKey {
    return { id, seal: (room, seq, body) => seal(key, utf8.encode(body), bodyAad(room, seq)), remember };
  }

  /**
   * Opens sealed bodies in place (`body` set); a body whose key is gone (shredded) or fails to open stays
   * without one. Rows that were never sealed are left as they are.
   */
  async openAll<R extends SealedRow>(rows: R[]): Promise<R[]> {
    const missing = [...new Set(rows.map((r) => r.bodyKeyId).filter((id): id is string => id !== null))].filter(
      (id) => !this.keys.has(id),
    );
    for (const row of await findRoomKeys(this.db, missing)) this.unwrap(row);
    for (const row of rows) {
      if (row.sealedBody === null || row.bodyKeyId === null) continue;
      const dataKey = this.keys.get(row.bodyKeyId);
      if (!dataKey) continue;
      try {
        row.body = fromUtf8.decode(open(dataKey.key, row.sealedBody, bodyAad(row.roomId, row.seq)));
      } catch {
        // An altered row: no body rather than a wrong one.
      }
    }
    return rows;
  }

  /** Destroys the keys of fully expired periods (the purge calls it) and forgets them here. */
  async destroyExpired(now: Date): Promise<number> {
    for (const dataKey of this.keys.values()) {
      if (dataKey.destroyAfter && dataKey.destroyAfter <= now) this.forget(dataKey);
    }
    return destroyExpiredKeys(this.db, now);
  }

  /** A key for another purpose, derived from the master key (HMAC-SHA256 with a label): never stored anywhere. */
  derivedKey(label: string): Uint8Array {
    return createHmac('sha256', this.master.key).update(`salon/derived/v1|${label}`).digest();
  }

  /**
   * Seals a small secret (e.g. a TOTP secret) under a key derived from the master key for `purpose`, bound to
   * `owner`: a copy of the database alone does not give it away.
   */
  sealValue(purpose: string, owner: string, value: string): string {
    return `v1.${seal(this.derivedKey(purpose), utf8.encode(value), utf8.encode(owner))}`;
  }

  /** Opens `sealValue`'s output (a value stored before sealing existed is returned as it is). */
  openValue(purpose: string, owner: string, stored: string): string {
    if (!stored.startsWith('v1.')) return stored;
    return fromUtf8.decode(open(this.derivedKey(purpose), stored.slice(3), utf8.encode(owner)));
  }

  /** Re-wraps every key under the current master key (rotation); returns how many were re-wrapped. */
  async rewrapAll(): Promise<number> {
    let n = 0;
    for (const row of await listAllRoomKeys(this.db)) {
      if (row.masterKeyId === this.master.id) continue;
      const { key } = this.unwrap(row);
      await rewrapRoomKey(this.db, row.id, seal(this.master.key, key, keyAad(row.roomId, row.period)), this.master.id);
      n++;
    }
    return n;
  }

  private unwrap(row: RoomKeyRow, cache = true): DataKey {
    const master = this.masters.get(row.masterKeyId);
    if (!master) throw new Error(`room key ${row.id} is wrapped by an unknown master key ${row.masterKeyId}`);
    const dataKey = {
      id: row.id,
      key: open(master.key, row.wrappedKey, keyAad(row.roomId, row.period)),
      destroyAfter: row.destroyAfter,
    };
    if (cache) this.keys.set(row.id, dataKey);
    return dataKey;
  }

  private forget(dataKey: DataKey): void {
    dataKey.key.fill(0);
    this.keys.delete(dataKey.id);
    for (const [k, v] of this.byPeriod) if (v === dataKey) this.byPeriod.delete(k);
  }
}

/** What `openAll` needs of a message row. */
export interface SealedRow {
  roomId: string;
  seq: number;
  body: string | null;
  sealedBody: string | null;
  bodyKeyId: string | null;
}
