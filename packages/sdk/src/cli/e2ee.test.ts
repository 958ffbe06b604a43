import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner } from '../test/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../test/servers.js';

describe('salon command line in an encrypted room (CLI.md, SPEC E2E-1..E2E-15)', () => {
  let server: TestServer;
  const cli = cliRunner(() => server.url, 'salon-cli-e2ee-');
  const { newHome } = cli;
  const salon = cli.run;

  beforeAll(async () => {
    server = await startTestServer({ mode: 'postgres' });
  });
  afterAll(async () => {
    cli.cleanup();
    await server?.close();
  });

  it('register, private room, invite, accept, send, history, tail, devices, verify, kick, wipe', async () => {
    const [annHome, bobHome, cyHome] = [newHome(), newHome(), newHome()];
    const sealed = { env: { SALON_PASSPHRASE: 'a long passphrase for ann' } };
    const ann = (args: string[], opts = {}) => salon(annHome, [...args, '--json'], { ...sealed, ...opts });
    const bob = (args: string[], opts = {}) => salon(bobHome, [...args, '--json'], opts);
    const cy = (args: string[], opts = {}) => salon(cyHome, [...args, '--json'], opts);
    const [annName, bobName, cyName] = [uniqueName('ann'), uniqueName('bob'), uniqueName('cy')];

    const registered = await Promise.all([
      ann(['register', annName]),
      bob(['register', bobName]),
      cy(['register', cyName]),
    ]);
    for (const r of registered) expect(r.code, r.stderr).toBe(0);
    expect(registered[0]!.lines).toEqual([{ user: expect.objectContaining({ username: annName }) }]);
    // Without a passphrase and without a terminal the keys are stored unencrypted, with a warning.
    expect(registered[1]!.stderr).toContain('unencrypted');
    expect(registered[0]!.stderr).not.toContain('unencrypted');

    const roomName = uniqueName('Vault');
    const created = await ann(['room', 'create', roomName, '--private']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.lines[0]?.room).toMatchObject({ name: roomName, visibility: 'private', encrypted: true, suite: 84 });

    for (const [name, guest] of [
      [bobName, bob],
      [cyName, cy],
    ] as const) {
      const invited = await ann(['invite', roomName, name]);
      expect(invited.code, invited.stderr).toBe(0);
      const pending = await guest(['invitations']);
      const invitation = pending.lines[0]?.invitation as { id: string };
      expect(invitation).toMatchObject({ room: { name: roomName } });
      const accepted = await guest(['accept', invitation.id]);
      expect(accepted.code, accepted.stderr).toBe(0);
      expect(accepted.lines[0]?.room).toMatchObject({ name: roomName, joined: true, encrypted: true });
    }

    const tail = cy(['tail', roomName, '--count', '3', '--timeout', '60']);
    await new Promise((r) => setTimeout(r, 1500)); // let the tail subscribe
    const first = await ann(['send', roomName, 'MARKER-ann-1 $E=mc^2$']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.lines[0]).toMatchObject({ seq: expect.any(Number) });
    const second = await bob(['send', roomName, '-'], { input: 'MARKER-bob-stdin\n' });
    expect(second.code, second.stderr).toBe(0);
    expect((await ann(['send', roomName, 'MARKER-ann-2'])).code).toBe(0);

    const expected = [
      [annName, 'MARKER-ann-1 $E=mc^2$', 'ok'],
      [bobName, 'MARKER-bob-stdin', 'ok'],
      [annName, 'MARKER-ann-2', 'ok'],
    ];
    const history = await bob(['history', roomName]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.lines.map((l) => [l.sender, l.text, l.status])).toEqual(expected);
    expect(Object.keys(history.lines[0]!)).toEqual(['seq', 'sender', 'text', 'createdAt', 'status']);
    const tailed = await tail;
    expect(tailed.code, tailed.stderr).toBe(0);
    expect(tailed.lines.map((l) => [l.sender, l.text, l.status])).toEqual(expected);
    // Read again from the profile's local store: forward secrecy means the keys are gone, the texts are not.
    const again = await ann(['history', roomName, '--after', '0', '--limit', '2']);
    expect(again.lines.map((l) => l.text)).toEqual(expected.slice(0, 2).map((e) => e[1]));

    // Nothing readable at rest in the sealed profile.
    for (const file of readdirSync(join(annHome, 'keys'))) {
      expect(readFileSync(join(annHome, 'keys', file), 'latin1')).not.toContain('MARKER');
    }

    const devices = await ann(['devices']);
    expect(devices.code, devices.stderr).toBe(0);
    expect(devices.lines).toEqual([
      {
        device: expect.objectContaining({
          current: true,
          fingerprint: expect.stringMatching(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/),
        }),
      },
    ]);
    const bobDevices = await ann(['devices', bobName]);
    expect(bobDevices.lines).toHaveLength(1);

    const fromAnn = await ann(['verify', bobName]);
    const fromBob = await bob(['verify', annName]);
    expect(fromAnn.code, fromAnn.stderr).toBe(0);
    expect(fromAnn.lines).toEqual([{ safetyNumber: expect.stringMatching(/^(\d{5} ){11}\d{5}$/), verified: false }]);
    expect(fromBob.lines[0]?.safetyNumber).toBe(fromAnn.lines[0]?.safetyNumber);
    const confirmed = await ann(['verify', bobName, '--confirm']);
    expect(confirmed.lines).toEqual([{ safetyNumber: fromAnn.lines[0]?.safetyNumber, verified: true }]);
    expect((await ann(['verify', bobName])).lines[0]?.verified).toBe(true);
    expect((await ann(['devices', bobName])).lines[0]?.device).toMatchObject({ verified: true });

    const kicked = await ann(['kick', roomName, cyName]);
    expect(kicked.code, kicked.stderr).toBe(0);
    expect((await ann(['send', roomName, 'MARKER-after-kick'])).code).toBe(0);
    expect((await bob(['history', roomName])).lines.at(-1)).toMatchObject({ text: 'MARKER-after-kick', status: 'ok' });
    const refused = await cy(['history', roomName]);
    expect(refused.code).toBe(2);

    // Bob reports Ann's last message with proof (franking); Ann, the owner, reads it in the room's reports.
    const lastSeq = (await bob(['history', roomName])).lines.at(-1)?.seq as number;
    const reported = await bob(['report', roomName, String(lastSeq), '--reason', 'test report']);
    expect(reported.code, reported.stderr).toBe(0);
    expect(reported.lines[0]?.report).toMatchObject({ seq: lastSeq, text: 'MARKER-after-kick', verified: true });
    expect((await bob(['report', roomName, '999999'])).code).toBe(2);

    // A wrong passphrase cannot open the keys: a cryptographic check failed.
    const wrong = await salon(annHome, ['history', roomName, '--json'], { env: { SALON_PASSPHRASE: 'not it' } });
    expect(wrong.code, wrong.stderr).toBe(4);

    const wiped = await bob(['logout', '--wipe']);
    expect(wiped.code, wiped.stderr).toBe(0);
    expect(existsSync(join(bobHome, 'keys'))).toBe(false);
  }, 150_000); // about 30 processes, each loading the MLS suites; the sealed profile also runs Argon2id each time
});
