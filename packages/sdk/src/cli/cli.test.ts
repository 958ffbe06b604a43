import { cpSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner } from '../test/cli.js';
import { freePort, startTestServer, type TestServer, uniqueName } from '../test/servers.js';

describe('salon command line, end to end', () => {
  let server: TestServer;
  const cli = cliRunner(() => server.url);
  const { newHome, run } = cli;
  const salon = cli.start;

  beforeAll(async () => {
    // PostgreSQL rather than the embedded PGlite: the same store code, and it starts in a second instead of many.
    server = await startTestServer({ mode: 'postgres' });
  });
  afterAll(async () => {
    cli.cleanup();
    await server?.close();
  });

  it('registers, creates a room, sends, reads history and tails live messages', async () => {
    const home = newHome();
    const username = uniqueName('ada');
    const registered = await run(home, ['register', username, '--json']);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.lines).toEqual([{ user: expect.objectContaining({ username }) }]);
    expect(statSync(join(home, 'session.json')).mode & 0o777).toBe(0o600);

    const roomName = uniqueName('Lab');
    const created = await run(home, ['room', 'create', roomName, '--topic', 'spectra', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.lines[0]?.room).toMatchObject({ name: roomName, topic: 'spectra', visibility: 'public' });

    const first = await run(home, ['send', roomName, 'hello $E=mc^2$', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.lines[0]).toMatchObject({ seq: 1 });
    const second = await run(home, ['send', roomName.toUpperCase(), '-', '--json'], { input: 'from stdin\n' });
    expect(second.lines[0]).toMatchObject({ seq: 2 });

    const history = await run(home, ['history', roomName, '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect(history.lines).toEqual([
      { seq: 1, sender: username, text: 'hello $E=mc^2$', createdAt: expect.any(String), status: 'ok' },
      { seq: 2, sender: username, text: 'from stdin', createdAt: expect.any(String), status: 'ok' },
    ]);
    const after = await run(home, ['history', roomName, '--after', '1', '--json']);
    expect(after.lines.map((l) => l.seq)).toEqual([2]);

    // The tail replays after --since, then waits for the live third message and stops at --count.
    const tail = salon(home, ['tail', roomName, '--since', '0', '--count', '3', '--timeout', '20', '--json']);
    const third = await run(home, ['send', roomName, 'live one']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('sent #3');
    const tailed = await tail.done;
    expect(tailed.code, tailed.stderr).toBe(0);
    expect(tailed.lines.map((l) => [l.seq, l.text, l.status])).toEqual([
      [1, 'hello $E=mc^2$', 'ok'],
      [2, 'from stdin', 'ok'],
      [3, 'live one', 'ok'],
    ]);
  });

  it('invites, accepts and kicks between two profiles', async () => {
    const [owner, guest] = [newHome(), newHome()];
    const guestName = uniqueName('bob');
    const roomName = uniqueName('Private');
    await Promise.all([run(owner, ['register', uniqueName('ann')]), run(guest, ['register', guestName])]);
    expect((await run(owner, ['room', 'create', roomName, '--private'])).code).toBe(0);
    const invited = await run(owner, ['invite', roomName, guestName, '--json']);
    expect(invited.code, invited.stderr).toBe(0);
    const pending = await run(guest, ['invitations', '--json']);
    const invitation = pending.lines[0]?.invitation as { id: string };
    expect(invitation).toMatchObject({ room: { name: roomName } });
    const accepted = await run(guest, ['accept', invitation.id, '--json']);
    expect(accepted.lines[0]?.room).toMatchObject({ name: roomName, joined: true });
    expect((await run(guest, ['send', roomName, 'hi'])).code).toBe(0);
    const kicked = await run(owner, ['kick', roomName, guestName]);
    expect(kicked.code, kicked.stderr).toBe(0);
    const refused = await run(guest, ['history', roomName]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not_found|forbidden/);
  });

  it('exits 2 with the code for an unknown room, 3 without a session, 5 without a server, 1 on misuse', async () => {
    const home = newHome();
    expect((await run(home, ['register', uniqueName('cy')])).code).toBe(0);
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const [unknown, noSession, noServer, misuse, help] = await Promise.all([
      run(home, ['history', 'no such room', '--json']),
      run(newHome(), ['rooms']),
      run(home, ['rooms'], { env: { SALON_SERVER: nowhere } }),
      run(home, ['send', 'only-a-room']),
      run(home, ['--help']),
    ]);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { code: 'not_found' } });
    expect(noSession.code).toBe(3);
    expect(noSession.stderr).toContain('not logged in');
    expect(noServer.code).toBe(5);
    expect(noServer.stderr).toContain('unreachable');
    expect(misuse.code).toBe(1);
    expect(misuse.stderr).toContain('usage: salon send ROOM TEXT');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('encryption');
  });

  it('exits 3 once the session was ended elsewhere, and logout removes the token', async () => {
    const home = newHome();
    expect((await run(home, ['register', uniqueName('dee')])).code).toBe(0);
    // A second copy of the profile: its token dies with the logout of the first.
    const copy = newHome();
    cpSync(home, copy, { recursive: true });
    expect((await run(home, ['logout'])).code).toBe(0);
    expect(existsSync(join(home, 'session.json'))).toBe(false);
    const expired = await run(copy, ['rooms']);
    expect(expired.code).toBe(3);
    expect(expired.stderr).toContain('unauthenticated');
  });
});
