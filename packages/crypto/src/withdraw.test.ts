import { describe, expect, it } from 'vitest';
import type { SuiteId } from './suites.js';
import { deliver, read, text, trio } from './testkit.js';

describe.each([84, 3] as SuiteId[])('withdrawing a refused message, suite %i', (suite) => {
  it('E2E-8 E2E-11: a message the DS refused as stale is withdrawn; the re-sent one shows no gap', async () => {
    const { alice, bob, carol } = await trio(suite);
    const first = await alice.encrypt(text('first'));
    expect((await bob.decrypt(first)).status).toBe('ok');
    // Alice encrypts at epoch 1 while Bob's key update wins the epoch: the DS refuses her message.
    const refused = await alice.encrypt(text('second'));
    const update = await bob.commit();
    await deliver(bob, update, [alice, carol]);
    expect(await alice.withdraw(refused)).toBe(true);
    expect(await alice.withdraw(refused)).toBe(false);
    const resent = await alice.encrypt(text('second'));
    const got = await bob.decrypt(resent);
    expect(got).toMatchObject({ status: 'ok', counter: 2, missing: 0 });
    expect(read(got.plaintext)).toBe('second');
  });

  it('E2E-8: only the latest own message, with nothing recorded after it, can be withdrawn', async () => {
    const { alice, bob } = await trio(suite);
    const mine = await alice.encrypt(text('mine'));
    await alice.decrypt(await bob.encrypt(text('from bob')));
    expect(await alice.withdraw(mine)).toBe(false);
  });
});
