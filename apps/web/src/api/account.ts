import type {
  MessageReport,
  SecurityAlert,
  SessionInfo,
  TotpConfirmResponse,
  TotpSetupResponse,
} from '@salon/protocol';
import { request } from './request';

// The second factor.

export function setupTotp(): Promise<TotpSetupResponse> {
  return request<TotpSetupResponse>('POST', '/api/auth/totp/setup');
}

export async function confirmTotp(code: string): Promise<string[]> {
  return (await request<TotpConfirmResponse>('POST', '/api/auth/totp/confirm', { code })).recoveryCodes;
}

/** Turns the second factor off with a current code or the password. */
export function disableTotp(proof: { code: string } | { password: string }): Promise<void> {
  return request<void>('DELETE', '/api/auth/totp', proof);
}

// Sessions.

export async function listSessions(): Promise<SessionInfo[]> {
  return (await request<{ sessions: SessionInfo[] }>('GET', '/api/sessions')).sessions;
}

export function revokeSession(sessionId: string): Promise<void> {
  return request<void>('DELETE', `/api/sessions/${encodeURIComponent(sessionId)}`);
}

export function revokeOtherSessions(): Promise<void> {
  return request<void>('POST', '/api/sessions/revoke-others');
}

// Security alerts.

export async function listAlerts(): Promise<SecurityAlert[]> {
  return (await request<{ alerts: SecurityAlert[] }>('GET', '/api/admin/alerts')).alerts;
}

export function acknowledgeAlert(alertId: string): Promise<void> {
  return request<void>('POST', `/api/admin/alerts/${encodeURIComponent(alertId)}/ack`);
}

export async function listRoomAlerts(roomId: string): Promise<SecurityAlert[]> {
  return (await request<{ alerts: SecurityAlert[] }>('GET', `/api/rooms/${encodeURIComponent(roomId)}/alerts`)).alerts;
}

/** Verified reports of a room's encrypted messages (moderators and above). */
export async function listRoomReports(roomId: string): Promise<MessageReport[]> {
  return (await request<{ reports: MessageReport[] }>('GET', `/api/rooms/${encodeURIComponent(roomId)}/reports`))
    .reports;
}
