import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJson, encodeJson } from './encoding.js';
import { DEFAULT_KDF, deriveStoreKey, type KdfParams, type KeyStore, Mutex, SealedKeyStore } from './keyStore.js';

/**
 * Blobs as files in `<profile>/keys/` (folder 0700, files 0600), written through a rename so a crash never leaves
 * half a state. `exclusive` takes a lock file, so two `salon` processes on one profile take turns.
 */
export class FileKeyStore implements KeyStore {
  private readonly mutex = new Mutex();
  constructor(readonly dir: string) {}

  async get(name: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(readFileSync(this.path(name)));
    } catch {
      return undefined;
    }
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = this.path(name);
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, bytes, { mode: 0o600 });
    renameSync(temp, path);
  }

  async delete(name: string): Promise<void> {
    rmSync(this.path(name), { force: true });
  }

  exclusive<T>(op: () => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const release = await this.lock();
      try {
        return await op();
      } finally {
        release();
      }
    });
  }

  /** Removes every key of the profile (`logout --wipe`). */
  wipe(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private path(name: string): string {
    // Names are engine-chosen (`room.<id>`); escaping keeps any id inside the folder.
    return join(this.dir, encodeURIComponent(name).replaceAll('.', '%2E').replace(/^%2E/, '.'));
  }

  private async lock(): Promise<() => void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, 'lock');
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
        return () => rmSync(path, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (lockIsStale(path)) rmSync(path, { force: true });
        else await new Promise((r) => setTimeout(r, Math.min(10 + attempt * 5, 100)));
      }
    }
  }
}

/** A lock whose process is gone (killed mid-operation), or older than a minute, is taken over. */
function lockIsStale(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (Date.now() - statSync(path).mtimeMs > 60_000) return true;
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

interface KdfFile {
  v: 1;
  mode: 'argon2id' | 'plain';
  salt?: string;
  params?: KdfParams;
}

/**
 * The profile's key store: sealed with a key derived from the passphrase by Argon2id (salt and parameters in
 * `keys/kdf.json`), or plain when there is no passphrase (the caller warns). A profile created with a passphrase
 * cannot be opened without it; one created without stays plain (set a passphrase on a fresh profile).
 */
export async function openProfileKeyStore(
  home: string,
  passphrase: string | undefined,
): Promise<{ store: KeyStore; files: FileKeyStore; sealed: boolean; created: boolean }> {
  const files = new FileKeyStore(join(home, 'keys'));
  const saved = await files.get('kdf.json');
  let kdf = saved && decodeJson<KdfFile>(saved);
  const created = kdf === undefined;
  if (kdf === undefined) {
    kdf =
      passphrase === undefined
        ? { v: 1, mode: 'plain' }
        : {
            v: 1,
            mode: 'argon2id',
            salt: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64'),
            params: DEFAULT_KDF,
          };
    await files.put('kdf.json', encodeJson(kdf));
  }
  if (kdf.mode === 'plain') return { store: files, files, sealed: false, created };
  if (passphrase === undefined)
    throw new PassphraseRequiredError("this profile's keys are encrypted: set SALON_PASSPHRASE");
  const key = await deriveStoreKey(passphrase, Buffer.from(kdf.salt!, 'base64'), kdf.params ?? DEFAULT_KDF);
  return { store: new SealedKeyStore(files, key), files, sealed: true, created };
}

/** True when the profile's keys exist and were stored without a passphrase (no need to ask for one). */
export async function isPlainProfile(home: string): Promise<boolean> {
  const saved = await new FileKeyStore(join(home, 'keys')).get('kdf.json');
  return saved !== undefined && decodeJson<KdfFile>(saved).mode === 'plain';
}

/** The profile's keys are sealed and no passphrase was given. */
export class PassphraseRequiredError extends Error {
  override readonly name = 'PassphraseRequiredError';
}
