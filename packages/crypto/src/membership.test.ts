import { describe, expect, it } from 'vitest';
import { Device } from './device.js';
import { CredentialRejectedError, DecryptError, SalonCryptoError } from './errors.js';
import type { DeviceRef } from './identity.js';
import { inspectMessage } from './mlsCodec.js';
import { RoomCrypto } from './room.js';
import type { SuiteId } from './suites.js';
import { deliver, expectAllRead, keyPackage, text, trio } from './testkit.js';

describe.each([84, 3] as SuiteId[])('membership, suite %i', (suite) => {
  it('E2E-12: a new device joins by external commit from GroupInfo, reads new messages, not older ones', async () => {
    const { alice, bob, carol, dir } = await trio(suite);
    const before = await carol.encrypt(text('before the tablet joined'));
    for (const r of [alice, bob]) await r.decrypt(before);
    const tablet = dir.register({ userId: 'alice', deviceId: 'tablet' });
    const joined = await RoomCrypto.joinExternal(tablet, await alice.exportGroupInfo(), {
      authenticate: dir.authenticate,
    });
    expect(joined.epoch).toBe(1n);
    // What the server reads to check the joiner is an invited user's registered device.
    expect(inspectMessage(joined.commit)).toMatchObject({ contentType: 'commit', epoch: 1n, device: tablet.ref });
    for (const r of [alice, bob, carol]) {
      const res = await r.processHandshake(joined.commit);
      expect(res.added).toEqual([{ userId: 'alice', deviceId: 'tablet' }]);
    }
    expect(await joined.room.processHandshake(joined.commit)).toMatchObject({ own: true });
    await expect(joined.room.decrypt(before)).rejects.toBeInstanceOf(DecryptError);
    expect(joined.room.joinedEpoch).toBe(2n);
    await expectAllRead(bob, [alice, carol, joined.room], 'welcome, tablet');
    await expectAllRead(joined.room, [alice, bob, carol], 'tablet here');
  });

  it('E2E-12: a device that lost its state rejoins by external commit, replacing its old leaf', async () => {
    const { alice, bob, carol, devices, dir } = await trio(suite);
    await expectAllRead(carol, [alice, bob], 'carol before losing state');
    const rejoin = await RoomCrypto.joinExternal(devices.carol, await bob.exportGroupInfo(), {
      authenticate: dir.authenticate,
    });
    for (const r of [alice, bob]) await r.processHandshake(rejoin.commit);
    expect(alice.members().filter((m) => m.userId === 'carol')).toHaveLength(1);
    await expectAllRead(rejoin.room, [alice, bob], 'carol is back');
    await expectAllRead(alice, [bob, rejoin.room], 'welcome back');
  });

  it('E2E-12: a Welcome consumes its single-use KeyPackage; the last-resort one stays usable', async () => {
    const { alice, bob, dir } = await trio(suite);
    const dave = dir.register({ userId: 'dave', deviceId: 'd1' });
    const opts = { authenticate: dir.authenticate };
    const batch = await dave.createKeyPackages(suite, 1);
    const add = await alice.addMembers([batch.keyPackages[0]!]);
    await deliver(alice, add, [bob]);
    await RoomCrypto.joinFromWelcome(dave, add.welcome!, opts);
    expect(dave.unusedKeyPackages(suite)).toBe(0);
    await expect(RoomCrypto.joinFromWelcome(dave, add.welcome!, opts)).rejects.toMatchObject({
      code: 'unknown_key_package',
    });
    const erin = dir.register({ userId: 'erin', deviceId: 'e1' });
    const other = await RoomCrypto.create(erin, { ...opts, roomId: 'room-2', suite });
    const viaLastResort = await other.addMembers([batch.lastResort!]);
    await other.mergePendingCommit();
    const second = await RoomCrypto.joinFromWelcome(dave, viaLastResort.welcome!, opts);
    expect(second.roomId).toBe('room-2');
  });

  it('E2E-5: a KeyPackage the credential callback refuses is not added (unknown device, stolen identity)', async () => {
    const { alice } = await trio(suite);
    const stranger = Device.generate({ userId: 'mallory', deviceId: 'm1' });
    const impostor = Device.generate({ userId: 'bob', deviceId: 'phone' }); // right name, key not in the list
    for (const device of [stranger, impostor]) {
      const err = await alice.addMembers([await keyPackage(device, suite)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CredentialRejectedError);
      expect(err).toMatchObject({ code: 'credential_rejected' });
    }
    expect(alice.hasPendingCommit).toBe(false);
    expect(alice.epoch).toBe(1n);
  });

  it('E2E-5: a member refuses a commit or Welcome carrying a credential its device list does not hold', async () => {
    const { alice, bob, devices, dir } = await trio(suite);
    const dave = dir.register({ userId: 'dave', deviceId: 'd1' });
    // Bob's view of the device list lacks Dave (a server that lies to Alice only, say).
    const strict = {
      authenticate: (ref: DeviceRef, key: Uint8Array) => ref.userId !== 'dave' && dir.authenticate(ref, key),
    };
    const strictBob = await RoomCrypto.import(devices.bob, bob.export(), strict);
    const add = await alice.addMembers([await keyPackage(dave, suite)]);
    await alice.mergePendingCommit();
    await expect(strictBob.processHandshake(add.commit)).rejects.toBeInstanceOf(CredentialRejectedError);
    expect(strictBob.epoch).toBe(1n);
    const refuseAlice = { authenticate: (ref: DeviceRef) => ref.userId !== 'alice' };
    await expect(RoomCrypto.joinFromWelcome(dave, add.welcome!, refuseAlice)).rejects.toBeInstanceOf(
      CredentialRejectedError,
    );
  });

  it('E2E-14: a KeyPackage of the other Salon suite is refused for this room', async () => {
    const { alice, dir } = await trio(suite);
    const dave = dir.register({ userId: 'dave', deviceId: 'd1' });
    const other: SuiteId = suite === 84 ? 3 : 84;
    await expect(alice.addMembers([await keyPackage(dave, other)])).rejects.toBeInstanceOf(SalonCryptoError);
  });
});
