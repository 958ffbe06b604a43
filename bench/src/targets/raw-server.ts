/**
 * The ceiling: a bare `ws` server with rooms and nothing else (no auth, no storage, no validation beyond
 * JSON.parse). A socket joins the room named by `?room=` in its URL. A `{type:'send', id, roomId, body}`
 * frame gets the next seq of that room, is serialized once into a `message` frame, and that one buffer is
 * written to every socket of the room; the sender gets `{type:'ack', id, seq}`.
 *
 * Run as its own process: `node --import tsx raw-server.ts` with PORT (0 = free) and HOST; it prints
 * `{"msg":"raw listening","port":N}` on stdout once it listens, and exits on SIGTERM/SIGINT.
 */
import { type WebSocket, WebSocketServer } from 'ws';

const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();

const wss = new WebSocketServer({
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
});

wss.on('connection', (ws, req) => {
  const room = new URL(req.url ?? '/', 'http://localhost').searchParams.get('room');
  if (room) {
    let members = rooms.get(room);
    if (!members) {
      members = new Set();
      rooms.set(room, members);
    }
    members.add(ws);
    ws.on('close', () => members.delete(ws));
  }
  ws.on('error', () => ws.terminate());
  ws.on('message', (data) => {
    let frame: { type?: unknown; id?: unknown; roomId?: unknown; body?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      return;
    }
    if (frame.type !== 'send' || typeof frame.roomId !== 'string' || typeof frame.body !== 'string') return;
    const seq = (seqs.get(frame.roomId) ?? 0) + 1;
    seqs.set(frame.roomId, seq);
    const out = Buffer.from(
      JSON.stringify({ type: 'message', roomId: frame.roomId, seq, body: frame.body, createdAt: new Date() }),
    );
    for (const member of rooms.get(frame.roomId) ?? []) member.send(out, { binary: false });
    ws.send(JSON.stringify({ type: 'ack', id: frame.id, seq }));
  });
});

wss.on('listening', () => {
  const address = wss.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(JSON.stringify({ msg: 'raw listening', port }));
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
