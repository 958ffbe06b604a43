import { Device, RoomCrypto, type SuiteId } from '@salon/crypto';
import { monoMs } from '../clock.js';
import { ProcSampler } from '../procstat.js';
import { spread } from '../stats.js';
import type { ScenarioContext } from './common.js';
import type { Scenario, ScenarioReport, TargetReport } from './types.js';

/** Every credential is accepted here: what is measured is MLS itself, not the server's device list. */
const opts = { authenticate: () => true };
const PAYLOAD = new Uint8Array(200).fill(0x61);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = monoMs();
  const value = await fn();
  return { ms: monoMs() - t0, value };
}

/**
 * One group of `members` devices: the first creates it and adds the others in one commit; then encrypt /
 * decrypt of a 200-byte message, an empty commit (key rotation, the cost of every membership change), its
 * processing by another member, and a commit adding one more device.
 */
async function measureGroup(suite: SuiteId, members: number, reps: number, runTag: string) {
  const devices = Array.from({ length: members + 1 }, (_, i) =>
    Device.generate({ userId: `u${i}`, deviceId: `bench-${runTag}-${i}` }),
  );
  const packages = await Promise.all(
    devices.slice(1).map(async (d) => (await d.createKeyPackages(suite, 1, { lastResort: false })).keyPackages[0]!),
  );
  const owner = await RoomCrypto.create(devices[0]!, { ...opts, roomId: `bench-${runTag}`, suite });
  const addAll = await timed(() => owner.addMembers(packages.slice(0, members - 1)));
  await owner.mergePendingCommit();
  const join = await timed(() => RoomCrypto.joinFromWelcome(devices[1]!, addAll.value.welcome!, opts));
  const reader = join.value;
  const encrypt: number[] = [];
  const decrypt: number[] = [];
  const commit: number[] = [];
  const processCommit: number[] = [];
  let commitBytes = 0;
  for (let i = 0; i < reps; i++) {
    const wire = await timed(() => owner.encrypt(PAYLOAD));
    encrypt.push(wire.ms);
    decrypt.push((await timed(() => reader.decrypt(wire.value))).ms);
  }
  for (let i = 0; i < Math.max(1, Math.ceil(reps / 10)); i++) {
    const bundle = await timed(() => owner.commit());
    commit.push(bundle.ms);
    commitBytes = bundle.value.commit.length;
    await owner.mergePendingCommit();
    processCommit.push((await timed(() => reader.processHandshake(bundle.value.commit))).ms);
  }
  const addOne = await timed(() => owner.addMembers([packages[members - 1]!]));
  await owner.discardPendingCommit();
  return {
    encryptMs: spread(encrypt),
    decryptMs: spread(decrypt),
    commitMs: spread(commit),
    processMs: spread(processCommit),
    addOneMs: spread([addOne.ms]),
    addAllMs: spread([addAll.ms]),
    welcomeJoinMs: spread([join.ms]),
    commitKB: spread([commitBytes / 1024]),
    addAllKB: spread([addAll.value.commit.length / 1024]),
  };
}

/** Costs of end-to-end encryption on this machine: MLS per message and per membership change, by group size. */
export const crypto: Scenario = {
  name: 'crypto',
  async run(ctx: ScenarioContext): Promise<ScenarioReport> {
    const sizes = ctx.quick ? [2, 50] : [2, 50, 200];
    const reps = ctx.quick ? 20 : 100;
    const targets: TargetReport[] = [];
    for (const suite of [84, 3] as const) {
      for (const members of sizes) {
        if (ctx.aborted()) break;
        const label = `suite ${suite}, ${members} members`;
        ctx.log(`crypto: ${label}`);
        const sampler = new ProcSampler([]);
        try {
          const headline = await measureGroup(suite, members, reps, `${ctx.runTag}-${suite}-${members}`);
          const others = sampler.stop().find((u) => u.role === 'others')?.cpuPct ?? Number.NaN;
          targets.push({
            target: label,
            description: `MLS suite ${suite} in one Node.js process`,
            status: 'ok',
            headline: { ...headline, othersCpu: spread([others]) },
            detail: { suite, members, reps },
          });
        } catch (err) {
          sampler.stop();
          targets.push({
            target: label,
            description: `MLS suite ${suite}`,
            status: 'error',
            error: (err as Error).message,
            headline: {},
            detail: {},
          });
        }
      }
    }
    return {
      scenario: 'crypto',
      title: 'End-to-end encryption costs (MLS, ts-mls 1.6.4): 200-byte messages, commits by group size',
      quick: ctx.quick,
      params: { sizes, reps, payloadBytes: PAYLOAD.length },
      metrics: [
        { key: 'encryptMs', header: 'encrypt ms', digits: 2 },
        { key: 'decryptMs', header: 'decrypt ms', digits: 2 },
        { key: 'commitMs', header: 'commit ms', digits: 1 },
        { key: 'processMs', header: 'process commit ms', digits: 1 },
        { key: 'addOneMs', header: 'add 1 ms', digits: 0 },
        { key: 'addAllMs', header: 'add n-1 ms', digits: 0 },
        { key: 'welcomeJoinMs', header: 'join (Welcome) ms', digits: 0 },
        { key: 'commitKB', header: 'commit KB', digits: 1 },
        { key: 'addAllKB', header: 'add n-1 KB', digits: 0 },
        { key: 'othersCpu', header: 'others CPU%', digits: 0 },
      ],
      targets,
      goals: [],
      notes: [
        '"commit": an empty commit (key rotation, what every membership change costs on top of its proposals);',
        '"process commit": another member applying it; "add n-1": the creator adding every other member at once.',
      ],
    };
  },
};
