import { createProposal, encodeMlsMessage, type Proposal } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { DecryptError, SalonCryptoError, StaleEpochError } from './errors.js';
import { inspectMessage } from './mlsCodec.js';
import { RoomCrypto } from './room.js';
import { loadSuite, type SuiteId } from './suites.js';
import { deliver, EpochGate, expectAllRead, keyPackage, rawState, read, text, trio } from './testkit.js';

describe.each([84, 3] as SuiteId[])('RoomCrypto, suite %i', (suite) => {
  it('E2E-1 E2E-4: three devices create, add in one commit, exchange; everyone decrypts and sees the sender', async () => {
    const { alice, bob, carol } = await trio(suite);
    expect([alice.epoch, bob.epoch, carol.epoch]).toEqual([1n, 1n, 1n]);
    expect(alice.members().map((m) => `${m.userId}/${m.deviceId}@${m.leafIndex}`)).toEqual([
      'alice/laptop@0',
      'bob/phone@1',
      'carol/cli@2',
    ]);
    await expectAllRead(alice, [bob, carol], 'hello from alice');
    await expectAllRead(bob, [alice, carol], 'hello from bob');
    const wire = await carol.encrypt(text('hello from carol'));
    const got = await alice.decrypt(wire);
    expect(got.sender).toEqual({ userId: 'carol', deviceId: 'cli' });
    expect(got.status === 'ok' && got.counter).toBe(1);
  });

  it('E2E-1: the server sees only the MLS header and transcript fields, never the text', async () => {
    const { alice } = await trio(suite);
    const marker = 'MARKER-9f3a-plaintext';
    const wire = await alice.encrypt(text(marker));
    expect(Buffer.from(wire).includes(Buffer.from(marker))).toBe(false);
    expect(inspectMessage(wire)).toEqual({
      wireformat: 'mls_private_message',
      contentType: 'application',
      groupId: text('room-1'),
      epoch: 1n,
    });
  });

  it('E2E-2: a non-member, even one holding a group with the same room id, cannot decrypt', async () => {
    const { alice, dir } = await trio(suite);
    const outsider = dir.register({ userId: 'mallory', deviceId: 'm1' });
    const fake = await RoomCrypto.create(outsider, { roomId: 'room-1', suite, authenticate: dir.authenticate });
    const wire = await alice.encrypt(text('members only'));
    await expect(fake.decrypt(wire)).rejects.toBeInstanceOf(DecryptError);
  });

  it('E2E-3: a removed device cannot decrypt later messages, even from its saved and re-imported state', async () => {
    const { alice, bob, carol, devices, dir } = await trio(suite);
    await expectAllRead(alice, [bob, carol], 'before removal');
    const saved = carol.export();
    const removal = await alice.removeDevices([{ userId: 'carol', deviceId: 'cli' }]);
    expect(removal.removed).toEqual([{ userId: 'carol', deviceId: 'cli' }]);
    await deliver(alice, removal, [bob]);
    const seen = await carol.processHandshake(removal.commit);
    expect(seen.removedSelf).toBe(true);
    expect(carol.active).toBe(false);

    const wire = await alice.encrypt(text('after removal'));
    expect(read((await bob.decrypt(wire)).plaintext)).toBe('after removal');
    await expect(carol.decrypt(wire)).rejects.toBeInstanceOf(DecryptError);
    const restored = await RoomCrypto.import(devices.carol, saved, { authenticate: dir.authenticate });
    expect(restored.epoch).toBe(1n);
    await expect(restored.decrypt(wire)).rejects.toBeInstanceOf(DecryptError);
    await expect(carol.encrypt(text('still here?'))).rejects.toMatchObject({ code: 'not_member' });
  });

  it('E2E-3: a received Remove proposal must be committed before the next message', async () => {
    const { alice, bob, carol } = await trio(suite);
    const impl = await loadSuite(suite);
    const carolLeaf = alice.members().find((m) => m.userId === 'carol')!.leafIndex;
    const remove: Proposal = { proposalType: 'remove', remove: { removed: carolLeaf } };
    const { message } = await createProposal(rawState(alice), false, remove, impl);
    const proposal = encodeMlsMessage(message); // the DS relays it to every member
    expect((await bob.processHandshake(proposal)).kind).toBe('proposal');
    await alice.processHandshake(proposal);
    expect(bob.pendingProposals).toBe(1);
    await expect(bob.encrypt(text('too early'))).rejects.toMatchObject({ code: 'commit_pending' });
    const commit = await bob.commit();
    expect(commit.removed).toEqual([{ userId: 'carol', deviceId: 'cli' }]);
    await bob.mergePendingCommit();
    await alice.processHandshake(commit.commit);
    const wire = await bob.encrypt(text('carol is gone'));
    await expect(carol.decrypt(wire)).rejects.toBeInstanceOf(DecryptError);
    expect(read((await alice.decrypt(wire)).plaintext)).toBe('carol is gone');
  });

  it('E2E-11: of two commits at one epoch only the first applies; the loser processes it and redoes its own', async () => {
    const { alice, bob, carol, dir } = await trio(suite);
    const ds = new EpochGate(alice.epoch);
    const dave = dir.register({ userId: 'dave', deviceId: 'd1' });
    const erin = dir.register({ userId: 'erin', deviceId: 'e1' });
    const fromAlice = await alice.addMembers([await keyPackage(dave, suite)]);
    const fromBob = await bob.addMembers([await keyPackage(erin, suite)]);
    expect(fromAlice.epoch).toBe(fromBob.epoch);
    await expect(bob.encrypt(text('while pending'))).rejects.toMatchObject({ code: 'commit_pending' });

    expect(ds.accept(fromAlice)).toBe(true);
    expect(ds.accept(fromBob)).toBe(false);
    await alice.processHandshake(fromAlice.commit);
    await carol.processHandshake(fromAlice.commit);
    // A member that somehow receives the losing commit too cannot apply it: it is for an epoch already left.
    const stale = await carol.processHandshake(fromBob.commit).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleEpochError);
    expect(stale).toMatchObject({ code: 'stale_epoch', messageEpoch: 1n, currentEpoch: 2n });

    // The loser processes the winner (its own pending commit is dropped), then commits again at the new epoch.
    const winner = await bob.processHandshake(fromAlice.commit);
    expect(winner.added).toEqual([{ userId: 'dave', deviceId: 'd1' }]);
    expect(bob.hasPendingCommit).toBe(false);
    const daveRoom = await RoomCrypto.joinFromWelcome(dave, fromAlice.welcome!, { authenticate: dir.authenticate });
    const retry = await bob.addMembers([await keyPackage(erin, suite)]);
    expect(ds.accept(retry)).toBe(true);
    await deliver(bob, retry, [alice, carol, daveRoom]);
    const erinRoom = await RoomCrypto.joinFromWelcome(erin, retry.welcome!, { authenticate: dir.authenticate });

    const everyone = [alice, bob, carol, daveRoom, erinRoom];
    expect(new Set(everyone.map((r) => r.epoch))).toEqual(new Set([3n]));
    await expectAllRead(erinRoom, [alice, bob, carol, daveRoom], 'erin made it');
    await expectAllRead(alice, [bob, carol, daveRoom, erinRoom], 'everyone on epoch 3');
  });

  it('E2E-15: export/import round-trips group state and transcript', async () => {
    const { alice, bob, carol, devices, dir } = await trio(suite);
    const first = await alice.encrypt(text('one'));
    await bob.decrypt(first);
    await carol.decrypt(first);
    await expectAllRead(bob, [alice, carol], 'two');
    const opts = { authenticate: dir.authenticate };
    const bob2 = await RoomCrypto.import(devices.bob, bob.export(), opts);
    expect(bob2.epoch).toBe(bob.epoch);
    expect(bob2.suite).toBe(suite);
    expect(bob2.members()).toEqual(bob.members());
    expect((await bob2.decrypt(first)).status).toBe('replay');
    await expectAllRead(alice, [bob2, carol], 'three');
    const fromBob2 = await bob2.encrypt(text('four'));
    const got = await carol.decrypt(fromBob2);
    expect(got).toMatchObject({ status: 'ok', counter: 2 });
    const wrongDevice = RoomCrypto.import(devices.carol, bob.export(), opts);
    await expect(wrongDevice).rejects.toBeInstanceOf(SalonCryptoError);
  });

  it('E2E-13: a late message of the previous epoch still decrypts after a key-update commit', async () => {
    const { alice, bob, carol } = await trio(suite);
    const late = await alice.encrypt(text('sent at epoch 1'));
    await bob.decrypt(late);
    const update = await bob.commit();
    await deliver(bob, update, [alice, carol]);
    expect(carol.epoch).toBe(2n);
    const got = await carol.decrypt(late);
    expect(got).toMatchObject({ status: 'ok', epoch: 1n });
    expect(read(got.plaintext)).toBe('sent at epoch 1');
  });
});
