import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { BodySealer, parseMasterKey } from '../domain/sealing.js';
import { type Db, openDatabase } from '../store/db.js';
import { messages } from '../store/schema.js';

/** The master key of every server the tests start (in-process or spawned): they can open what they stored. */
export const TEST_MASTER_KEY = randomBytes(32).toString('base64');

/** A room's stored messages, bodies opened with the master key: what the store holds, seq by seq. */
export async function storedMessagesIn(
  db: Db,
  roomId: string,
  masterKey = TEST_MASTER_KEY,
): Promise<Array<{ seq: number; body: string | null }>> {
  const rows = await db.select().from(messages).where(eq(messages.roomId, roomId)).orderBy(asc(messages.seq));
  await new BodySealer(db, parseMasterKey(masterKey)).openAll(rows);
  return rows.map((r) => ({ seq: r.seq, body: r.body }));
}

/** The same, from outside, for a PostgreSQL database that a spawned server writes to. */
export async function storedMessages(databaseUrl: string, roomId: string, masterKey = TEST_MASTER_KEY) {
  const database = await openDatabase({ kind: 'postgres', url: databaseUrl }, () => undefined);
  try {
    return await storedMessagesIn(database.db, roomId, masterKey);
  } finally {
    await database.close();
  }
}
