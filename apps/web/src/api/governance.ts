import type { AuditResponse, Invitation, InviteLink, JoinRequest, Member, Role, Room, User } from '@salon/protocol';
import { request } from './request';

const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;
const memberPath = (roomId: string, userId: string) => `${roomPath(roomId)}/members/${encodeURIComponent(userId)}`;

export interface Ban {
  user: User;
  reason: string;
  createdAt: string;
}

export interface RoomPatch {
  name?: string;
  topic?: string;
  visibility?: Room['visibility'];
  retentionSeconds?: number | null;
}

export async function listMembers(roomId: string): Promise<Member[]> {
  return (await request<{ members: Member[] }>('GET', `${roomPath(roomId)}/members`)).members;
}

// Invitations and links.

export async function inviteUser(roomId: string, username: string): Promise<Invitation> {
  return (await request<{ invitation: Invitation }>('POST', `${roomPath(roomId)}/invitations`, { username }))
    .invitation;
}

export async function listMyInvitations(): Promise<Invitation[]> {
  return (await request<{ invitations: Invitation[] }>('GET', '/api/invitations')).invitations;
}

export async function acceptInvitation(invitationId: string): Promise<Room> {
  return (await request<{ room: Room }>('POST', `/api/invitations/${encodeURIComponent(invitationId)}/accept`)).room;
}

export function declineInvitation(invitationId: string): Promise<void> {
  return request<void>('POST', `/api/invitations/${encodeURIComponent(invitationId)}/decline`);
}

export async function createLink(roomId: string, expiresInSeconds: number, maxUses: number): Promise<InviteLink> {
  return (await request<{ link: InviteLink }>('POST', `${roomPath(roomId)}/links`, { expiresInSeconds, maxUses })).link;
}

export function revokeLink(roomId: string, token: string): Promise<void> {
  return request<void>('DELETE', `${roomPath(roomId)}/links/${encodeURIComponent(token)}`);
}

export async function redeemLink(token: string): Promise<Room> {
  return (await request<{ room: Room }>('POST', `/api/links/${encodeURIComponent(token)}/redeem`)).room;
}

// Join requests.

export function requestToJoin(roomName: string): Promise<void> {
  return request<void>('POST', '/api/join-requests', { roomName });
}

export async function listJoinRequests(roomId: string): Promise<JoinRequest[]> {
  return (await request<{ requests: JoinRequest[] }>('GET', `${roomPath(roomId)}/join-requests`)).requests;
}

export function decideJoinRequest(roomId: string, requestId: string, approve: boolean): Promise<void> {
  const decision = approve ? 'approve' : 'reject';
  return request<void>('POST', `${roomPath(roomId)}/join-requests/${encodeURIComponent(requestId)}/${decision}`);
}

// Room settings.

export async function updateRoom(roomId: string, patch: RoomPatch): Promise<Room> {
  return (await request<{ room: Room }>('PATCH', roomPath(roomId), patch)).room;
}

export function deleteRoom(roomId: string): Promise<void> {
  return request<void>('DELETE', roomPath(roomId));
}

// Roles and moderation.

export async function setRole(roomId: string, userId: string, role: Role): Promise<Member> {
  return (await request<{ member: Member }>('PATCH', memberPath(roomId, userId), { role })).member;
}

/** An empty reason is left out: the server would store it as given. */
const withReason = (reason: string) => (reason.trim() ? { reason: reason.trim() } : {});

export function kick(roomId: string, userId: string, reason = ''): Promise<void> {
  return request<void>('POST', `${memberPath(roomId, userId)}/kick`, withReason(reason));
}

export function ban(roomId: string, userId: string, reason = ''): Promise<void> {
  return request<void>('POST', `${roomPath(roomId)}/bans`, { userId, ...withReason(reason) });
}

export async function listBans(roomId: string): Promise<Ban[]> {
  return (await request<{ bans: Ban[] }>('GET', `${roomPath(roomId)}/bans`)).bans;
}

export function unban(roomId: string, userId: string): Promise<void> {
  return request<void>('DELETE', `${roomPath(roomId)}/bans/${encodeURIComponent(userId)}`);
}

export function mute(roomId: string, userId: string, seconds: number): Promise<void> {
  return request<void>('POST', `${memberPath(roomId, userId)}/mute`, { seconds });
}

export function unmute(roomId: string, userId: string): Promise<void> {
  return request<void>('DELETE', `${memberPath(roomId, userId)}/mute`);
}

export function deleteMessage(roomId: string, seq: number): Promise<void> {
  return request<void>('DELETE', `${roomPath(roomId)}/messages/${seq}`);
}

export function fetchAudit(roomId: string): Promise<AuditResponse> {
  return request<AuditResponse>('GET', `${roomPath(roomId)}/audit`);
}
