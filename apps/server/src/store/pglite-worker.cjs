// The embedded database's own thread: one PGlite instance, queries in the order they arrive (see pgliteThread.ts).
// Plain CommonJS so the same file runs under the built server and under the tests, which run the TypeScript.
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, types } = require(workerData.pglite);

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

parentPort.on('message', async (msg) => {
  if (msg.op === 'close') {
    try {
      await db.close();
      parentPort.postMessage({ id: msg.id, ok: true });
    } catch (err) {
      parentPort.postMessage({ id: msg.id, ok: false, error: describe(err) });
    }
    return;
  }
  try {
    const result = await db.query(msg.text, msg.params, msg.rowMode ? { rowMode: msg.rowMode } : undefined);
    const { rows, fields, affectedRows } = result;
    parentPort.postMessage({ id: msg.id, ok: true, result: { rows, fields, affectedRows } });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: describe(err) });
  }
});

db.waitReady.then(
  () => parentPort.postMessage({ ready: true }),
  (err) => parentPort.postMessage({ ready: false, error: describe(err) }),
);
