import { describe, expect, it } from 'vitest';
import { Device } from './device.js';
import { decodeIdentity, encodeIdentity } from './identity.js';
import { inspectMessage } from './mlsCodec.js';
import { isSuiteId, SUITES } from './suites.js';
import {
  decodeTranscriptAad,
  encodeTranscriptAad,
  GENESIS_HASH,
  TRANSCRIPT_AAD_LENGTH,
  Transcript,
} from './transcript.js';

const alice = { userId: 'alice', deviceId: 'laptop' };
const bob = { userId: 'bob', deviceId: 'phone' };
const hash = (n: number) => new Uint8Array(32).fill(n);

describe('credential identity encoding', () => {
  it('E2E-5: round-trips and is unambiguous where a separator would not be', () => {
    expect(decodeIdentity(encodeIdentity(alice))).toEqual(alice);
    const a = encodeIdentity({ userId: 'a/b', deviceId: 'c' });
    const b = encodeIdentity({ userId: 'a', deviceId: 'b/c' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(decodeIdentity(encodeIdentity({ userId: 'é', deviceId: '设备' }))).toEqual({
      userId: 'é',
      deviceId: '设备',
    });
  });

  it('E2E-5: refuses non-canonical bytes (trailing data, empty parts, bad UTF-8, unknown version)', () => {
    const good = encodeIdentity(alice);
    expect(decodeIdentity(new Uint8Array([...good, 0]))).toBeUndefined();
    expect(decodeIdentity(new Uint8Array([2, ...good.slice(1)]))).toBeUndefined();
    expect(decodeIdentity(new Uint8Array([1, 0, 1, 0x61]))).toBeUndefined();
    expect(decodeIdentity(new Uint8Array([1, 1, 0xff, 1, 0x61]))).toBeUndefined();
    expect(() => encodeIdentity({ userId: '', deviceId: 'x' })).toThrow();
  });
});

describe('transcript AAD', () => {
  it('E2E-7: encodes counter, prevEpoch and prevHash in 49 bytes and back', () => {
    const aad = { counter: 7, prevEpoch: 3n, prevHash: hash(9) };
    const bytes = encodeTranscriptAad(aad);
    expect(bytes.length).toBe(TRANSCRIPT_AAD_LENGTH);
    expect(decodeTranscriptAad(bytes)).toEqual(aad);
  });

  it('E2E-7: refuses a wrong length, version or a zero counter', () => {
    const bytes = encodeTranscriptAad({ counter: 1, prevEpoch: 0n, prevHash: GENESIS_HASH });
    expect(decodeTranscriptAad(bytes.slice(1))).toBeUndefined();
    expect(decodeTranscriptAad(new Uint8Array([2, ...bytes.slice(1)]))).toBeUndefined();
    const zero = bytes.slice();
    zero.fill(0, 1, 9);
    expect(decodeTranscriptAad(zero)).toBeUndefined();
    expect(() => encodeTranscriptAad({ counter: 0, prevEpoch: 0n, prevHash: GENESIS_HASH })).toThrow(RangeError);
  });
});

describe('transcript rules', () => {
  it('E2E-8 E2E-10: ok, gap by counter, gap by unknown prevHash, fork by counter reuse and false genesis', () => {
    const t = new Transcript();
    t.memberJoined(bob);
    expect(t.check(bob, { counter: 1, prevEpoch: 0n, prevHash: GENESIS_HASH }).status).toBe('ok');
    t.recordPeer(bob, { counter: 1, prevEpoch: 0n, prevHash: GENESIS_HASH }, hash(1), 1n);
    expect(t.check(bob, { counter: 2, prevEpoch: 1n, prevHash: hash(1) })).toEqual({ status: 'ok', missing: 0 });
    expect(t.check(bob, { counter: 4, prevEpoch: 1n, prevHash: hash(1) })).toEqual({ status: 'gap', missing: 2 });
    expect(t.check(bob, { counter: 2, prevEpoch: 1n, prevHash: hash(7) })).toEqual({ status: 'gap', missing: 0 });
    expect(t.check(bob, { counter: 1, prevEpoch: 1n, prevHash: hash(1) }).status).toBe('fork');
    expect(t.check(bob, { counter: 2, prevEpoch: 0n, prevHash: GENESIS_HASH }).status).toBe('fork');
  });

  it('E2E-12: a late joiner accepts references to history before its join, not after', () => {
    const t = Transcript.joined([alice], 5n);
    expect(t.check(alice, { counter: 40, prevEpoch: 4n, prevHash: hash(3) }).status).toBe('ok');
    expect(t.check(alice, { counter: 40, prevEpoch: 5n, prevHash: hash(3) }).status).toBe('gap');
  });

  it('E2E-9 E2E-15: remembers seen messages and own counter across encode/decode', () => {
    const t = Transcript.joined([bob], 2n);
    t.recordOwn(alice, t.nextOwn(), hash(1), 2n);
    t.recordPeer(bob, { counter: 9, prevEpoch: 2n, prevHash: hash(1) }, hash(2), 2n);
    const back = Transcript.decode(t.encode());
    expect(back.lookup(hash(2))).toEqual({ sender: bob, counter: 9 });
    expect(back.nextOwn()).toEqual({ counter: 2, prevEpoch: 2n, prevHash: hash(2) });
    expect(back.check(bob, { counter: 11, prevEpoch: 2n, prevHash: hash(2) })).toEqual({ status: 'gap', missing: 1 });
  });
});

describe('device and wire helpers', () => {
  it('E2E-15: a device export keeps its key and unused KeyPackages; single-use packages are counted', async () => {
    const device = Device.generate(alice);
    await device.createKeyPackages(3, 2);
    expect(device.unusedKeyPackages(3)).toBe(2);
    const back = await Device.import(device.export());
    expect(back.ref).toEqual(alice);
    expect(Buffer.from(back.signaturePublicKey).equals(Buffer.from(device.signaturePublicKey))).toBe(true);
    expect(back.unusedKeyPackages(3)).toBe(2);
  });

  it('E2E-1 E2E-14: inspectMessage reads only cleartext headers; only suites 84 and 3 are Salon suites', async () => {
    const device = Device.generate(alice);
    const { keyPackages } = await device.createKeyPackages(84, 1, { lastResort: false });
    const info = inspectMessage(keyPackages[0]!);
    expect(info).toMatchObject({ wireformat: 'mls_key_package', device: alice, cipherSuite: SUITES[84] });
    expect(Buffer.from(info.signaturePublicKey!).equals(Buffer.from(device.signaturePublicKey))).toBe(true);
    expect(info.notAfter! > BigInt(Math.floor(Date.now() / 1000))).toBe(true);
    expect(() => inspectMessage(new Uint8Array([0, 1, 0, 9]))).toThrow();
    expect([84, 3, 1, 88].map(isSuiteId)).toEqual([true, true, false, false]);
  });
});
