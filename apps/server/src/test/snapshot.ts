import type { TestServer } from './harness.js';

/** A fingerprint of everything stored: a rejected request must leave it exactly as it was. */
export async function storeSnapshot(server: TestServer): Promise<string> {
  const rows = await server.query(`
    select
      (select count(*) from users) as users,
      (select count(*) from sessions) as sessions,
      (select count(*) from rooms) as rooms,
      (select count(*) from room_members) as members,
      (select count(*) from messages) as messages,
      (select coalesce(sum(last_seq), 0) from rooms) as seqs,
      (select coalesce(md5(string_agg(room_id::text || seq || coalesce(body, ''), ',' order by room_id, seq)), '')
         from messages) as bodies`);
  return JSON.stringify(rows[0]);
}
