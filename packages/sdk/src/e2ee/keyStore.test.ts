import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeText } from './encoding.js';
import { openProfileKeyStore, PassphraseRequiredError } from './fileKeyStore.js';
import { MemoryKeyStore, SealedKeyStore, StoreKeyError } from './keyStore.js';

const homes: string[] = [];
const newHome = () => {
  const home = mkdtempSync(join(tmpdir(), 'salon-keys-'));
  homes.push(home);
  return home;
};
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('key storage at rest (SPEC E2E-15)', () => {
  it('E2E-15: a sealed blob opens only under its key and its own name', async () => {
    const inner = new MemoryKeyStore();
    const sealed = new SealedKeyStore(inner, new Uint8Array(32).fill(7));
    await sealed.put('room.a', encodeText('secret state'));
    expect(new TextDecoder().decode(await sealed.get('room.a'))).toBe('secret state');
    const raw = (await inner.get('room.a'))!;
    expect(Buffer.from(raw).includes(Buffer.from('secret state'))).toBe(false);
    await inner.put('room.b', raw); // the same bytes under another name
    await expect(sealed.get('room.b')).rejects.toBeInstanceOf(StoreKeyError);
    const wrong = new SealedKeyStore(inner, new Uint8Array(32).fill(8));
    await expect(wrong.get('room.a')).rejects.toBeInstanceOf(StoreKeyError);
  });

  it('E2E-15: a profile sealed with a passphrase stores no plaintext and needs the passphrase again', async () => {
    const home = newHome();
    const first = await openProfileKeyStore(home, 'pass phrase one');
    expect(first.sealed).toBe(true);
    await first.store.put('device', encodeText('MARKER-private-key'));
    for (const file of readdirSync(join(home, 'keys'))) {
      expect(readFileSync(join(home, 'keys', file), 'latin1')).not.toContain('MARKER');
    }
    const again = await openProfileKeyStore(home, 'pass phrase one');
    expect(new TextDecoder().decode(await again.store.get('device'))).toBe('MARKER-private-key');
    const wrong = await openProfileKeyStore(home, 'another one');
    await expect(wrong.store.get('device')).rejects.toBeInstanceOf(StoreKeyError);
    await expect(openProfileKeyStore(home, undefined)).rejects.toBeInstanceOf(PassphraseRequiredError);
  });

  it('without a passphrase the profile is plain (the CLI warns), and the lock serialises two holders', async () => {
    const home = newHome();
    const a = await openProfileKeyStore(home, undefined);
    const b = await openProfileKeyStore(home, undefined);
    expect(a.sealed).toBe(false);
    const order: string[] = [];
    const slow = (name: string) => async () => {
      order.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`${name} out`);
    };
    await Promise.all([a.store.exclusive(slow('a')), b.store.exclusive(slow('b'))]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
  });
});
