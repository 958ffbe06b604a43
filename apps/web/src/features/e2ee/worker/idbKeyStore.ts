import { type KeyStore, Mutex } from '@salon/sdk/e2ee';

/**
 * The browser's `KeyStore` for the E2EE engine: IndexedDB, every blob sealed with AES-256-GCM under one
 * non-extractable WebCrypto key that lives in the same database as a `CryptoKey` object. Threat: a copy of the
 * profile's files (backup, disk image, another program reading the IndexedDB folder) yields only ciphertext,
 * since the key's bytes cannot be read out through any browser API. It does not protect against script running
 * in this origin, which can ask the browser to use the key (that is what XSS defences are for).
 */

const DB_NAME = 'salon-e2ee';
const DB_VERSION = 1;
const BLOBS = 'blobs';
const META = 'meta';
const KEY_ID = 'store-key';
const IV_BYTES = 12;

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Opens (creating on first use) the database that holds every profile's sealed blobs and the store key. */
export function openE2eeDatabase(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(BLOBS)) db.createObjectStore(BLOBS);
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  };
  return promised(req);
}

/** The store key, made on first use: AES-GCM, `extractable: false`, kept as a structured-cloned CryptoKey. */
async function storeKey(db: IDBDatabase): Promise<CryptoKey> {
  const existing = await promised(db.transaction(META).objectStore(META).get(KEY_ID));
  if (existing instanceof CryptoKey) return existing;
  const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  // `add` fails if another tab stored a key meanwhile: then that one is the key.
  const tx = db.transaction(META, 'readwrite');
  tx.objectStore(META).add(fresh, KEY_ID);
  try {
    await done(tx);
    return fresh;
  } catch {
    const winner = await promised(db.transaction(META).objectStore(META).get(KEY_ID));
    if (winner instanceof CryptoKey) return winner;
    throw new Error('cannot store the encryption key of this browser profile');
  }
}

const utf8 = new TextEncoder();

/**
 * One user's blobs in this browser profile (names are prefixed with the user id, so two accounts used in the
 * same browser never share a device or a group state). `exclusive` uses the Web Locks API, so two tabs of the
 * same profile never advance one MLS state from the same copy.
 */
export class IdbKeyStore implements KeyStore {
  private readonly mutex = new Mutex();

  private constructor(
    private readonly db: IDBDatabase,
    private readonly key: CryptoKey,
    private readonly namespace: string,
  ) {}

  static async open(namespace: string): Promise<IdbKeyStore> {
    const db = await openE2eeDatabase();
    return new IdbKeyStore(db, await storeKey(db), namespace);
  }

  private id(name: string): string {
    return `${this.namespace}/${name}`;
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const id = this.id(name);
    const sealed = await promised(this.db.transaction(BLOBS).objectStore(BLOBS).get(id));
    if (!(sealed instanceof Uint8Array) || sealed.length < IV_BYTES + 16) return undefined;
    const bytes = new Uint8Array(sealed);
    // The blob's name is the associated data: a blob moved under another name (one room's state swapped for
    // another's, one user's for another's) fails to open.
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: utf8.encode(id) },
      this.key,
      bytes.subarray(IV_BYTES),
    );
    return new Uint8Array(plain);
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    const id = this.id(name);
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const data = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8.encode(id) },
        this.key,
        new Uint8Array(bytes),
      ),
    );
    const sealed = new Uint8Array(IV_BYTES + data.length);
    sealed.set(iv);
    sealed.set(data, IV_BYTES);
    const tx = this.db.transaction(BLOBS, 'readwrite');
    tx.objectStore(BLOBS).put(sealed, id);
    await done(tx);
  }

  async delete(name: string): Promise<void> {
    const tx = this.db.transaction(BLOBS, 'readwrite');
    tx.objectStore(BLOBS).delete(this.id(name));
    await done(tx);
  }

  exclusive<T>(op: () => Promise<T>): Promise<T> {
    if (typeof navigator !== 'undefined' && navigator.locks) {
      return navigator.locks.request(`salon-e2ee:${this.namespace}`, op) as Promise<T>;
    }
    return this.mutex.run(op);
  }

  /** Erases every blob of this user (device key, group states, decrypted history, verified keys). */
  async wipe(): Promise<void> {
    const tx = this.db.transaction(BLOBS, 'readwrite');
    tx.objectStore(BLOBS).delete(IDBKeyRange.bound(`${this.namespace}/`, `${this.namespace}/\uffff`));
    await done(tx);
  }

  close(): void {
    this.db.close();
  }
}
