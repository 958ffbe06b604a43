import type { Command } from '../command.js';
import { login, logout, register, whoami } from './account.js';
import { history, send, tail } from './messages.js';
import { accept, decline, invitations, invite, join, kick, leave, members, roomCreate, rooms } from './rooms.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  register,
  login,
  logout,
  whoami,
  rooms,
  roomCreate,
  join,
  leave,
  members,
  invite,
  invitations,
  accept,
  decline,
  kick,
  send,
  history,
  tail,
];

/** Commands of the contract that arrive with end-to-end encryption. */
export const LATER: Readonly<Record<string, string>> = {
  devices: "a user's devices and their fingerprints",
  verify: 'safety numbers',
};
