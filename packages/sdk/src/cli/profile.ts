import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from '@salon/protocol';

/** What `session.json` holds. */
export interface Session {
  server: string;
  token: string;
  user: User;
}

/**
 * A profile folder (`--home`, default ~/.salon): the session token, the last seen seqs, and in `keys/` this
 * device's keys, group states and decrypted history (sealed with SALON_PASSPHRASE when one is set). Two folders
 * are two independent devices, even for the same user.
 */
export class Profile {
  constructor(readonly home: string) {}

  /** The saved session, if any. */
  readSession(): Session | undefined {
    const session = this.readJson<Partial<Session>>('session.json');
    if (typeof session?.token !== 'string' || typeof session.server !== 'string' || !session.user) return undefined;
    return session as Session;
  }

  /** Saves the session; only its owner may read the file (the token is as good as the password). */
  writeSession(session: Session): void {
    this.writeJson('session.json', session);
  }

  /** Forgets the session. */
  clearSession(): void {
    rmSync(join(this.home, 'session.json'), { force: true });
  }

  /** roomId -> highest seq seen by `history` or `tail`. */
  readSeqs(): Record<string, number> {
    return this.readJson<Record<string, number>>('seqs.json') ?? {};
  }

  /** Raises the last seen seqs to the given ones. */
  recordSeqs(seen: ReadonlyMap<string, number>): void {
    if (seen.size === 0) return;
    const seqs = this.readSeqs();
    for (const [roomId, seq] of seen) seqs[roomId] = Math.max(seqs[roomId] ?? 0, seq);
    this.writeJson('seqs.json', seqs);
  }

  /** Deletes everything this profile keeps: session, seqs, and the keys folder (device key, group states, history). */
  wipe(): void {
    for (const file of ['session.json', 'seqs.json', 'device.json']) rmSync(join(this.home, file), { force: true });
    rmSync(join(this.home, 'keys'), { recursive: true, force: true });
  }

  /** The id of this profile's device, written in the clear beside its sealed keys (ids are public anyway). */
  deviceId(): string | undefined {
    return this.readJson<{ deviceId?: string }>('device.json')?.deviceId;
  }

  /** Remembers the device id (for `logout --wipe`, which must work without the passphrase). */
  writeDeviceId(deviceId: string): void {
    this.writeJson('device.json', { deviceId });
  }

  private readJson<T>(file: string): T | undefined {
    let text: string;
    try {
      text = readFileSync(join(this.home, file), 'utf8');
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      // A torn or hand-edited file: treat it as absent rather than failing every command.
      return undefined;
    }
  }

  /** Writes through a temporary file and a rename, so a crash never leaves half a file; mode 0600 in a 0700 folder. */
  private writeJson(file: string, value: unknown): void {
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    const path = join(this.home, file);
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  }
}
