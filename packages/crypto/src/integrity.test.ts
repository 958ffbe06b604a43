import { createApplicationMessage, createProposal, encodeMlsMessage, type Proposal } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { DecryptError, HandshakeError } from './errors.js';
import { RoomCrypto } from './room.js';
import { loadSuite, SUITES, type SuiteId } from './suites.js';
import { expectAllRead, rawState, read, text, trio } from './testkit.js';

describe.each([84, 3] as SuiteId[])('transcript integrity, suite %i', (suite) => {
  it('E2E-4 E2E-6: flipping any single byte of a ciphertext fails with DecryptError, state unharmed', async () => {
    const { alice, bob } = await trio(suite);
    const secret = 'tamper-target-7c1e';
    const wire = await alice.encrypt(text(secret));
    for (let i = 0; i < wire.length; i++) {
      const flipped = wire.slice();
      flipped[i]! ^= 0x01;
      const err = await bob.decrypt(flipped).then(
        (r) => new Error(`byte ${i}: accepted as ${r.status}`),
        (e: unknown) => e,
      );
      expect(err, `byte ${i}`).toBeInstanceOf(DecryptError);
      expect(String((err as Error).message)).not.toContain(secret);
    }
    const got = await bob.decrypt(wire);
    expect(got.status).toBe('ok');
    expect(read(got.plaintext)).toBe(secret);
  });

  it('E2E-9: a replayed message is reported as replay without plaintext; the own echo as own', async () => {
    const { alice, bob } = await trio(suite);
    const wire = await alice.encrypt(text('once'));
    expect((await bob.decrypt(wire)).status).toBe('ok');
    const again = await bob.decrypt(wire);
    expect(again).toMatchObject({ status: 'replay', plaintext: null, counter: 1 });
    expect(again.sender).toEqual({ userId: 'alice', deviceId: 'laptop' });
    expect(await alice.decrypt(wire)).toMatchObject({ status: 'own', plaintext: null });
  });

  it('E2E-8: a dropped message shows as a gap on the next one from that sender', async () => {
    const { alice, bob } = await trio(suite);
    const [m1, m2, m3] = [
      await alice.encrypt(text('m1')),
      await alice.encrypt(text('m2')),
      await alice.encrypt(text('m3')),
    ];
    expect((await bob.decrypt(m1)).status).toBe('ok');
    void m2; // the server drops m2 for Bob
    const got = await bob.decrypt(m3);
    expect(got).toMatchObject({ status: 'gap', missing: 1, counter: 3 });
    expect(read(got.plaintext)).toBe('m3');
  });

  it('E2E-8 E2E-10: reordering shows as gap, then fork when the older message arrives late', async () => {
    const { alice, bob } = await trio(suite);
    expect((await bob.decrypt(await alice.encrypt(text('m0')))).status).toBe('ok');
    const m1 = await alice.encrypt(text('m1'));
    const m2 = await alice.encrypt(text('m2'));
    expect(await bob.decrypt(m2)).toMatchObject({ status: 'gap', missing: 1 });
    expect(await bob.decrypt(m1)).toMatchObject({ status: 'fork', counter: 2 });
  });

  it('E2E-8: a message withheld from one member only is caught by the prevHash of the next one', async () => {
    const { alice, bob, carol } = await trio(suite);
    const fromCarol = await carol.encrypt(text('only alice gets this'));
    await alice.decrypt(fromCarol); // the server withholds it from Bob
    const fromAlice = await alice.encrypt(text('reply to carol'));
    expect((await carol.decrypt(fromAlice)).status).toBe('ok');
    expect(await bob.decrypt(fromAlice)).toMatchObject({ status: 'gap', sender: { userId: 'alice' } });
  });

  it('E2E-10: a device rolled back to an old state cannot reuse a counter: the message fails in MLS', async () => {
    const { alice, bob, devices, dir } = await trio(suite);
    const backup = bob.export();
    expect((await alice.decrypt(await bob.encrypt(text('original')))).status).toBe('ok');
    const rolledBack = await RoomCrypto.import(devices.bob, backup, { authenticate: dir.authenticate });
    const equivocation = await rolledBack.encrypt(text('different text, same counter'));
    await expect(alice.decrypt(equivocation)).rejects.toBeInstanceOf(DecryptError);
  });

  it('E2E-7: the sender counter and prevHash travel authenticated with each message', async () => {
    const { alice, bob, carol } = await trio(suite);
    const first = await bob.encrypt(text('first'));
    const firstSeen = await alice.decrypt(first);
    await carol.decrypt(first);
    const second = await alice.encrypt(text('second'));
    const got = await carol.decrypt(second);
    expect(got).toMatchObject({ status: 'ok', counter: 1 });
    expect(got.status === 'ok' && got.prevHash).toEqual(firstSeen.messageHash);
  });

  it('E2E-7: a member message without Salon transcript data is refused, not shown', async () => {
    const { alice, bob } = await trio(suite);
    const impl = await loadSuite(suite);
    const raw = await createApplicationMessage(rawState(alice), text('no transcript'), impl);
    const wire = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: raw.privateMessage,
    });
    await expect(bob.decrypt(wire)).rejects.toMatchObject({
      code: 'decrypt_failed',
      reason: 'missing transcript data',
    });
  });

  it('E2E-16: a proposal type Salon never uses (ReInit, PSK) is refused and the state stays', async () => {
    const { alice, bob } = await trio(suite);
    const impl = await loadSuite(suite);
    const state = rawState(alice);
    const reinit: Proposal = {
      proposalType: 'reinit',
      reinit: { groupId: text('elsewhere'), version: 'mls10', cipherSuite: SUITES[suite], extensions: [] },
    };
    const { message } = await createProposal(state, false, reinit, impl);
    const err = await bob.processHandshake(encodeMlsMessage(message)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    expect((err as Error).message).toContain('does not allow');
    expect(bob.pendingProposals).toBe(0);
    await expectAllRead(alice, [bob], 'still fine');
  });
});
