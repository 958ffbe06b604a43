import type { Command } from '../command.js';
import { login, logout, register, whoami } from './account.js';
import { devices, report, verify } from './e2ee.js';
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
  devices,
  verify,
  report,
];
