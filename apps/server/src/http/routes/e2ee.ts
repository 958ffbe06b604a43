import {
  ClaimKeyPackagesBodySchema,
  CommitBodySchema,
  CreateGroupBodySchema,
  IntegrityReportBodySchema,
  KeyPackageCountQuerySchema,
  MAX_MLS_BODY_BYTES,
  RegisterDeviceBodySchema,
  ReportBodySchema,
  UploadKeyPackagesBodySchema,
  WelcomesQuerySchema,
} from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../domain/context.js';
import {
  doClaimKeyPackages,
  doCommit,
  doCreateGroup,
  doDeleteWelcome,
  doRegisterDevice,
  doRemoveDevice,
  doReportIntegrity,
  doReportMessage,
  doUploadKeyPackages,
  getGroup,
  keyPackagesLeft,
  listOwnDevices,
  listOwnWelcomes,
  listRoomReports,
  listUserDevices,
} from '../../domain/e2ee.js';
import { requireActor } from '../auth.js';
import { parseInput } from '../validate.js';

type DeviceParams = { Params: { deviceId: string } };
type RoomParams = { Params: { roomId: string } };
/** Commits and GroupInfos carry the ratchet tree: a post-quantum group of 200 weighs about a megabyte. */
const mlsBody = { bodyLimit: MAX_MLS_BODY_BYTES };

/** The MLS delivery service: devices, the KeyPackage directory, group epochs, Welcomes, integrity reports. */
export function e2eeRoutes(app: FastifyInstance, domain: DomainContext): void {
  app.addHook('preHandler', requireActor(domain));

  app.post('/api/devices', async (request, reply) => {
    const body = parseInput(RegisterDeviceBodySchema, request.body);
    const { device, created } = await doRegisterDevice(domain, request.actor, body);
    return reply.status(created ? 201 : 200).send({ device });
  });

  app.get('/api/devices', async (request) => ({ devices: await listOwnDevices(domain, request.actor) }));

  app.delete<DeviceParams>('/api/devices/:deviceId', async (request, reply) => {
    await doRemoveDevice(domain, request.actor, request.params.deviceId);
    return reply.status(204).send();
  });

  app.get<{ Params: { user: string } }>('/api/users/:user/devices', async (request) =>
    listUserDevices(domain, request.params.user),
  );

  app.post<DeviceParams>('/api/devices/:deviceId/key-packages', async (request, reply) => {
    const body = parseInput(UploadKeyPackagesBodySchema, request.body);
    const available = await doUploadKeyPackages(domain, request.actor, request.params.deviceId, body);
    return reply.status(201).send({ available });
  });

  app.get<DeviceParams>('/api/devices/:deviceId/key-packages', async (request) => {
    const { suite } = parseInput(KeyPackageCountQuerySchema, request.query);
    return { available: await keyPackagesLeft(domain, request.actor, request.params.deviceId, suite) };
  });

  app.get<DeviceParams>('/api/devices/:deviceId/welcomes', async (request) => {
    const { roomId } = parseInput(WelcomesQuerySchema, request.query);
    return { welcomes: await listOwnWelcomes(domain, request.actor, request.params.deviceId, roomId) };
  });

  app.delete<{ Params: { deviceId: string; welcomeId: string } }>(
    '/api/devices/:deviceId/welcomes/:welcomeId',
    async (request, reply) => {
      await doDeleteWelcome(domain, request.actor, request.params.deviceId, request.params.welcomeId);
      return reply.status(204).send();
    },
  );

  app.post<RoomParams>('/api/rooms/:roomId/key-packages/claim', async (request) => {
    const { userId } = parseInput(ClaimKeyPackagesBodySchema, request.body);
    return { keyPackages: await doClaimKeyPackages(domain, request.actor, request.params.roomId, userId) };
  });

  app.get<RoomParams>('/api/rooms/:roomId/group', async (request) => ({
    group: await getGroup(domain, request.actor, request.params.roomId),
  }));

  app.post<RoomParams>('/api/rooms/:roomId/group', mlsBody, async (request, reply) => {
    const { groupInfo } = parseInput(CreateGroupBodySchema, request.body);
    await doCreateGroup(domain, request.actor, request.params.roomId, groupInfo);
    return reply.status(201).send({ epoch: 0 });
  });

  app.post<RoomParams>('/api/rooms/:roomId/commits', mlsBody, async (request, reply) => {
    const body = parseInput(CommitBodySchema, request.body);
    return reply.status(201).send(await doCommit(domain, request.actor, request.params.roomId, body));
  });

  app.post<RoomParams>('/api/rooms/:roomId/reports', async (request, reply) => {
    const body = parseInput(ReportBodySchema, request.body);
    return reply
      .status(201)
      .send({ report: await doReportMessage(domain, request.actor, request.params.roomId, body) });
  });

  app.get<RoomParams>('/api/rooms/:roomId/reports', async (request) => ({
    reports: await listRoomReports(domain, request.actor, request.params.roomId),
  }));

  app.post<RoomParams>('/api/rooms/:roomId/integrity-reports', async (request, reply) => {
    const body = parseInput(IntegrityReportBodySchema, request.body);
    await doReportIntegrity(domain, request.actor, request.params.roomId, body);
    return reply.status(202).send();
  });
}
