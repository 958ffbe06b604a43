import { expect } from 'vitest';
import { api, type TestUser } from './client.js';

/** Invites a user and has them accept: the way into a private room. */
export async function addMember(base: string, roomId: string, by: TestUser, who: TestUser, role?: string) {
  const inv = await api<{ invitation: { id: string } }>(base, 'POST', `/api/rooms/${roomId}/invitations`, {
    token: by.token,
    body: { username: who.user.username },
  });
  expect(inv.status, JSON.stringify(inv.json)).toBe(201);
  const accepted = await api(base, 'POST', `/api/invitations/${inv.json.invitation.id}/accept`, { token: who.token });
  expect(accepted.status).toBe(200);
  if (role) {
    const set = await api(base, 'PATCH', `/api/rooms/${roomId}/members/${who.user.id}`, {
      token: by.token,
      body: { role },
    });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
  }
}
