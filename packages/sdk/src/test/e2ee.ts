// Test helpers for end-to-end encryption through the SDK (not part of the build).
import type { Room, User } from '@salon/protocol';
import { SalonClient } from '../client.js';
import type { E2eeEngine } from '../e2ee/engine.js';
import { MemoryKeyStore } from '../e2ee/keyStore.js';
import { uniqueName } from './servers.js';

export const PASSWORD = 'correct horse battery staple';

/** One person on one device: an SDK client with encryption on, its key store in memory. */
export interface Person {
  client: SalonClient;
  engine: E2eeEngine;
  user: User;
  store: MemoryKeyStore;
}

/** Registers a user and logs in with encryption on (the device and its KeyPackages are created at login). */
export async function person(url: string, prefix: string): Promise<Person> {
  const username = uniqueName(prefix);
  await new SalonClient({ servers: url }).register(username, PASSWORD);
  return device(url, username);
}

/** Another device (profile) of an existing user. */
export async function device(url: string, username: string): Promise<Person> {
  const client = new SalonClient({ servers: url });
  const store = new MemoryKeyStore();
  // Three single-use KeyPackages per suite keep log-ins fast; background reconciliation is off so that each test
  // decides when commits happen.
  const engine = client.enableEncryption({ store, keyPackageBatch: 3, autoReconcile: false });
  const user = await client.login(username, PASSWORD);
  return { client, engine, user, store };
}

/** `owner` creates an encrypted private room and invites each of `guests`, who accept (and join the group). */
export async function encryptedRoom(owner: Person, guests: Person[], suite: 84 | 3): Promise<Room> {
  const room = await owner.client.createRoom(uniqueName('lab'), { visibility: 'private', suite });
  for (const guest of guests) {
    const invitation = await owner.client.invite(room.id, guest.user.username);
    await guest.client.accept(invitation.id);
  }
  return room;
}

/** `[seq, status, text]` of every message in the room's history as this person sees it. */
export async function seen(p: Person, roomId: string): Promise<Array<[number, string, string | undefined]>> {
  const messages = await p.client.history(roomId, { after: 0, limit: 200 });
  return messages.map((m) => [m.seq, m.status, m.text]);
}

/** Statuses and texts only (seqs vary with the number of commits). */
export async function readable(p: Person, roomId: string): Promise<Array<[string, string | undefined]>> {
  return (await seen(p, roomId)).map(([, status, text]) => [status, text]);
}

export function closeAll(people: Person[]): void {
  for (const p of people) p.client.close();
}
