import type { GroupState, Member, Message, MessageReport, Device as ServerDevice, Welcome } from '@salon/protocol';

/** One REST call (the SDK's transport): JSON in, JSON out, refusals thrown as SalonError. */
export type Request = <T>(
  method: string,
  path: string,
  opts?: { body?: unknown; query?: Record<string, string | number | undefined> },
) => Promise<T>;

const enc = encodeURIComponent;

/** The delivery-service half of the wire contract (docs/protocol.md, "End-to-end encryption"). */
export class E2eeApi {
  constructor(private readonly request: Request) {}

  registerDevice(body: { id: string; name: string; signatureKey: string }): Promise<{ device: ServerDevice }> {
    return this.request('POST', '/api/devices', { body });
  }

  async userDevices(user: string): Promise<ServerDevice[]> {
    return (await this.request<{ devices: ServerDevice[] }>('GET', `/api/users/${enc(user)}/devices`)).devices;
  }

  uploadKeyPackages(deviceId: string, body: { suite: number; keyPackages: string[]; lastResort?: string }) {
    return this.request<{ available: number }>('POST', `/api/devices/${enc(deviceId)}/key-packages`, { body });
  }

  async availableKeyPackages(deviceId: string, suite: number): Promise<number> {
    const path = `/api/devices/${enc(deviceId)}/key-packages`;
    return (await this.request<{ available: number }>('GET', path, { query: { suite } })).available;
  }

  async claimKeyPackages(roomId: string, userId: string) {
    const path = `/api/rooms/${enc(roomId)}/key-packages/claim`;
    return (
      await this.request<{ keyPackages: { deviceId: string; keyPackage: string }[] }>('POST', path, {
        body: { userId },
      })
    ).keyPackages;
  }

  async group(roomId: string): Promise<GroupState> {
    return (await this.request<{ group: GroupState }>('GET', `/api/rooms/${enc(roomId)}/group`)).group;
  }

  createGroup(roomId: string, groupInfo: string): Promise<{ epoch: number }> {
    return this.request('POST', `/api/rooms/${enc(roomId)}/group`, { body: { groupInfo } });
  }

  postCommit(
    roomId: string,
    body: { epoch: number; commit: string; groupInfo: string; welcome?: string; welcomeDevices?: string[] },
  ): Promise<{ seq: number; epoch: number }> {
    return this.request('POST', `/api/rooms/${enc(roomId)}/commits`, { body });
  }

  async welcomes(deviceId: string, roomId: string): Promise<Welcome[]> {
    const path = `/api/devices/${enc(deviceId)}/welcomes`;
    return (await this.request<{ welcomes: Welcome[] }>('GET', path, { query: { roomId } })).welcomes;
  }

  async deleteWelcome(deviceId: string, welcomeId: string): Promise<void> {
    await this.request('DELETE', `/api/devices/${enc(deviceId)}/welcomes/${enc(welcomeId)}`);
  }

  /** A verified abuse report: reveals one message's text and franking key to the room's moderators. */
  reportMessage(roomId: string, body: { seq: number; text: string; key: string; reason?: string }) {
    return this.request<{ report: MessageReport }>('POST', `/api/rooms/${enc(roomId)}/reports`, { body });
  }

  async reportIntegrity(roomId: string, body: { seq?: number; reason: string; detail?: string }): Promise<void> {
    await this.request('POST', `/api/rooms/${enc(roomId)}/integrity-reports`, { body });
  }

  async members(roomId: string): Promise<Member[]> {
    return (await this.request<{ members: Member[] }>('GET', `/api/rooms/${enc(roomId)}/members`)).members;
  }

  /** Raw stored messages (commits included) after a seq, oldest first. */
  async messagesAfter(roomId: string, after: number, limit = 200): Promise<Message[]> {
    const path = `/api/rooms/${enc(roomId)}/messages`;
    return (await this.request<{ messages: Message[] }>('GET', path, { query: { after, limit } })).messages;
  }
}
