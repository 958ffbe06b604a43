import { LimitTierSchema } from '@salon/protocol';
import { loadConfig } from '../config.js';
import { doSetLimitTier, doSetPlatformAdmin } from '../domain/platform.js';
import { BodySealer, parseMasterKey, resolveMasterKey } from '../domain/sealing.js';
import { openDatabase } from '../store/db.js';
import { findUserByUsername } from '../store/users.js';

const USAGE =
  'usage: npm run admin -- create-admin <username> | revoke-admin <username> | set-tier <username> standard|bot | rewrap-keys';

/**
 * Grants or revokes platform administration, and sets accounts' limit tiers. It runs against the database
 * directly (same DATABASE_URL or SALON_DATA_DIR as the server), so the first administrator needs no one's
 * permission but the operator's.
 */
async function main(argv: string[]): Promise<number> {
  const [command, username, arg] = argv;
  if (command === 'rewrap-keys') return rewrapKeys();
  const tier = command === 'set-tier' ? LimitTierSchema.safeParse(arg) : null;
  const known = command === 'create-admin' || command === 'revoke-admin' || tier?.success === true;
  if (!known || !username) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const database = await openDatabase(loadConfig().database, () => undefined);
  try {
    const user = await findUserByUsername(database.db, username.toLowerCase());
    if (!user) {
      process.stderr.write(`no user named ${username}\n`);
      return 2;
    }
    if (tier?.success) {
      await doSetLimitTier(database.db, new Date(), { userId: user.id, tier: tier.data, actorId: null });
      process.stdout.write(`${user.username} is now on the ${tier.data} limit tier\n`);
      return 0;
    }
    const grant = command === 'create-admin';
    await doSetPlatformAdmin(database.db, new Date(), { userId: user.id, grant, actorId: null });
    process.stdout.write(`${user.username} is ${grant ? 'now' : 'no longer'} a platform administrator\n`);
    return 0;
  } finally {
    await database.close();
  }
}

/** Master key rotation: re-wraps every data key with SALON_MASTER_KEY (old keys in SALON_MASTER_KEYS_PREVIOUS). */
async function rewrapKeys(): Promise<number> {
  const config = loadConfig();
  const database = await openDatabase(config.database, () => undefined);
  try {
    const sealer = new BodySealer(database.db, resolveMasterKey(config), config.previousMasterKeys.map(parseMasterKey));
    const n = await sealer.rewrapAll();
    process.stdout.write(`${n} data keys re-wrapped with the current master key\n`);
    return 0;
  } finally {
    await database.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
