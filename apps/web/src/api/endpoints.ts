import type { CreateRoomBody, LoginResponse, MeResponse, Message, RegisterBody, Room, User } from '@salon/protocol';
import { request } from './request';

const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

export async function register(body: RegisterBody): Promise<User> {
  return (await request<{ user: User }>('POST', '/api/auth/register', body)).user;
}

/** The second factor of an account that has one: a current code or one of its recovery codes. */
export type SecondFactor = { totp: string } | { recoveryCode: string };

export async function login(username: string, password: string, factor?: SecondFactor): Promise<User> {
  return (await request<LoginResponse>('POST', '/api/auth/login', { username, password, ...factor })).user;
}

export function logout(): Promise<void> {
  return request<void>('POST', '/api/auth/logout');
}

export function fetchMe(): Promise<MeResponse> {
  return request<MeResponse>('GET', '/api/me');
}

export async function listRooms(): Promise<Room[]> {
  return (await request<{ rooms: Room[] }>('GET', '/api/rooms')).rooms;
}

export async function createRoom(body: CreateRoomBody): Promise<Room> {
  return (await request<{ room: Room }>('POST', '/api/rooms', body)).room;
}

export async function joinRoom(roomId: string): Promise<Room> {
  return (await request<{ room: Room }>('POST', `${roomPath(roomId)}/join`)).room;
}

export function leaveRoom(roomId: string): Promise<void> {
  return request<void>('POST', `${roomPath(roomId)}/leave`);
}

export interface HistoryPage {
  before?: number;
  limit: number;
}

/** One page of a room's history, in ascending seq order. */
export async function fetchMessages(roomId: string, page: HistoryPage): Promise<Message[]> {
  const query = new URLSearchParams({ limit: String(page.limit) });
  if (page.before !== undefined) query.set('before', String(page.before));
  return (await request<{ messages: Message[] }>('GET', `${roomPath(roomId)}/messages?${query}`)).messages;
}
