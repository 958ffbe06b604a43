/** The systems under test. */
export const TARGET_NAMES = ['salon', 'salon-cluster', 'django', 'raw'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** One client socket, as the main thread hands it to a worker (plain data: it crosses a thread boundary). */
export interface ClientSpec {
  /** Global socket index in the scenario. */
  gid: number;
  url: string;
  headers: Record<string, string>;
  /** Room index in the scenario (0-based). */
  room: number;
  /** The target's own id or name of that room. */
  roomKey: string;
  /** True for a receiver: it subscribes to `room` and its deliveries are counted. */
  subscribe: boolean;
}

/** A control frame (not a benchmark delivery) that the worker cares about. */
export type ControlFrame =
  | { kind: 'ack'; id: string; lastSeq?: number }
  | { kind: 'error'; id: string | undefined; code: string; message: string }
  | null;

/**
 * The client side of a target's wire protocol. Pure functions of strings: workers import it.
 * Deliveries are recognised by the benchmark marker in their body (see `body.ts`), not here.
 */
export interface ClientProtocol {
  /**
   * Frame to send once the socket is open to subscribe to the room (resuming after seq `since` when given);
   * null when the URL alone subscribes.
   */
  subscribeFrame(roomKey: string, requestId: string, since?: number): string | null;
  /** Frame that publishes `body` (which embeds the intended send time) to the room. */
  sendFrame(roomKey: string, requestId: string, body: string, intendedEpochMs: number): string;
  /** The server's order key of a delivery (seq or stored id), NaN when there is none. */
  orderKey(text: string): number;
  /** Acks and errors; null for anything else. */
  parseControl(text: string): ControlFrame;
  /** True when the server sends no ack and the sender's own copy of its message stands for one. */
  echoIsAck: boolean;
}

/** A process of the target whose CPU and memory are sampled. */
export interface ProcRef {
  label: string;
  pid: number;
  /** `server`: the system under test; `aux`: services it leans on (Redis, PostgreSQL backends). */
  role: 'server' | 'aux';
}

/** What a scenario asks a target to prepare: rooms, and one entry per socket. */
export interface ProvisionPlan {
  /** Short unique tag for user and room names (a target may be provisioned by several scenarios). */
  tag: string;
  rooms: number;
  sockets: Array<{ room: number; subscribe: boolean }>;
}

export interface StartOptions {
  /** Folder for logs and scratch data of this run. */
  scratchDir: string;
  log: (line: string) => void;
}

/** A started target. `stop` is idempotent and must leave no process behind. */
export interface RunningTarget {
  readonly name: TargetName;
  /** Human description (storage, processes). */
  readonly description: string;
  /** Processes to sample (may change after a restart). */
  processes(): Promise<ProcRef[]>;
  /** Creates users and rooms and returns one client spec per planned socket, in plan order. */
  provision(plan: ProvisionPlan): Promise<ClientSpec[]>;
  /** Kills the server process(es) with SIGKILL and starts them again on the same ports and data (reconnect storm). */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

export interface Target {
  readonly name: TargetName;
  readonly client: ClientProtocol;
  /**
   * Opening handshakes in flight at once over all generator threads. Daphne drops a socket whose consumer has
   * not accepted within 5 s (`websocket_connect_timeout`), so a slow acceptor needs a small window.
   */
  readonly connectInFlight: number;
  start(opts: StartOptions): Promise<RunningTarget>;
}
