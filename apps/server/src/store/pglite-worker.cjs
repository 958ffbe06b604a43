// The embedded database's own thread: one PGlite instance, queries in the order they arrive (see pgliteThread.ts).
// Plain CommonJS so the same file runs under the built server and under the tests, which run the TypeScript.
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, types, protocol } = require(workerData.pglite);

// drizzle maps date and time strings itself: PGlite hands them over untouched.
const identity = (value) => value;
const parsers = {
  [types.TIMESTAMP]: identity,
  [types.TIMESTAMPTZ]: identity,
  [types.INTERVAL]: identity,
  [types.DATE]: identity,
};
const options = { parsers };
const db = workerData.dataDir ? new PGlite(workerData.dataDir, options) : new PGlite(options);

/** What the main thread needs of an error: its message and PostgreSQL's fields (code, constraint, detail...). */
function describe(err) {
  const out = { message: err instanceof Error ? err.message : String(err) };
  if (err && typeof err === 'object') {
    for (const [key, value] of Object.entries(err)) {
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
    }
  }
  return out;
}

/** Prepared statements this connection has parsed, by name (see prepared.ts). */
const parsed = new Set();

/**
 * Runs a prepared statement in one round trip into the database: Parse the first time only, then Bind, Execute and
 * Sync. Its rows come back as arrays of text values.
 */
async function runPrepared({ name, text, params }) {
  const first = !parsed.has(name);
  const parts = [];
  if (first) parts.push(protocol.serialize.parse({ name, text }));
  parts.push(protocol.serialize.bind({ statement: name, values: params }));
  parts.push(protocol.serialize.execute({}), protocol.serialize.sync());
  return db.runExclusive(async () => {
    try {
      const { messages } = await db.execProtocol(Buffer.concat(parts));
      if (first) parsed.add(name);
      return { rows: messages.filter((m) => m.name === 'dataRow').map((m) => m.fields), fields: [] };
    } catch (err) {
      // The statement may have been parsed before its Bind failed: drop it, so the next call parses it again.
      if (first) {
        await db.execProtocol(
          Buffer.concat([protocol.serialize.close({ type: 'S', name }), protocol.serialize.sync()]),
        );
      }
      throw err;
    }
  });
}

/** Answers one request: its result, or the error as the main thread rebuilds it. */
async function answer(id, run) {
  try {
    parentPort.postMessage({ id, ok: true, result: await run() });
  } catch (err) {
    parentPort.postMessage({ id, ok: false, error: describe(err) });
  }
}

parentPort.on('message', (msg) => {
  if (msg.op === 'close') return answer(msg.id, () => db.close());
  if (msg.op === 'prepared') return answer(msg.id, () => runPrepared(msg));
  return answer(msg.id, async () => {
    const { rows, fields, affectedRows } = await db.query(
      msg.text,
      msg.params,
      msg.rowMode ? { rowMode: msg.rowMode } : undefined,
    );
    return { rows, fields, affectedRows };
  });
});

db.waitReady
  .then(() =>
    db.exec(
      Object.entries(workerData.sessionSettings)
        .map(([name, value]) => `set ${name} = ${value};`)
        .join('\n'),
    ),
  )
  .then(
    () => parentPort.postMessage({ ready: true }),
    (err) => parentPort.postMessage({ ready: false, error: describe(err) }),
  );
