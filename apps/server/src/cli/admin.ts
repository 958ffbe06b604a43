import { loadConfig } from '../config.js';
import { recordAudit } from '../domain/audit.js';
import { openDatabase } from '../store/db.js';
import { findUserByUsername, setPlatformAdmin } from '../store/users.js';

const USAGE = 'usage: npm run admin -- create-admin <username> | revoke-admin <username>';

/**
 * Grants or revokes platform administration. It runs against the database directly (same DATABASE_URL or
 * SALON_DATA_DIR as the server), so the first administrator needs no one's permission but the operator's.
 */
async function main(argv: string[]): Promise<number> {
  const [command, username] = argv;
  if ((command !== 'create-admin' && command !== 'revoke-admin') || !username) {
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
    const grant = command === 'create-admin';
    await database.db.transaction(async (tx) => {
      await setPlatformAdmin(tx, user.id, grant);
      await recordAudit(tx, new Date(), {
        roomId: null,
        actorId: null,
        action: grant ? 'platform.admin_granted' : 'platform.admin_revoked',
        targetId: user.id,
      });
    });
    process.stdout.write(`${user.username} is ${grant ? 'now' : 'no longer'} a platform administrator\n`);
    return 0;
  } finally {
    await database.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
