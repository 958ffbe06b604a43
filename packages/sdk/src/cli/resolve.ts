import type { Member, Room } from '@salon/protocol';
import type { SalonClient } from '../client.js';
import { SalonError } from '../errors.js';
import { UsageError } from './exit.js';

/**
 * The room a `ROOM` argument names: an id, or a name (unique regardless of case) among the caller's rooms and
 * the public ones. A room missing from that list (a private one the caller is invited to) can still be named by id.
 */
export async function resolveRoom(client: SalonClient, ref: string): Promise<Room> {
  const rooms = await client.rooms();
  const found = rooms.find((r) => r.id === ref) ?? rooms.find((r) => r.name.toLowerCase() === ref.toLowerCase());
  if (found) return found;
  try {
    return await client.room(ref);
  } catch (err) {
    // A name that is not an id shape is refused as invalid input: to the user it is simply not a room.
    if (err instanceof SalonError && (err.code === 'not_found' || err.code === 'invalid_request')) {
      throw new SalonError('not_found', `no room named or with id "${ref}"`, 404);
    }
    throw err;
  }
}

/** The member of a room with the given username. */
export async function resolveMember(client: SalonClient, room: Room, username: string): Promise<Member> {
  const wanted = username.trim().toLowerCase();
  const member = (await client.members(room.id)).find((m) => m.user.username === wanted);
  if (!member) throw new SalonError('not_found', `${wanted} is not a member of ${room.name}`, 404);
  return member;
}

/** A non-negative integer option, or a usage error naming the option. */
export function parseCount(value: string | boolean | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new UsageError(`--${option} takes a non-negative integer`);
  }
  return Number(value);
}
