import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { MAX_BODY_BYTES } from '@salon/protocol';
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import { Redis } from 'ioredis';
import type { Broker } from './broker/broker.js';
import { createMemoryBroker } from './broker/memory.js';
import { createRedisBroker } from './broker/redis.js';
import type { Config } from './config.js';
import type { DomainContext } from './domain/context.js';
import { Limits } from './domain/limits.js';
import { schedulePurge } from './domain/retention.js';
import { BodySealer, parseMasterKey, resolveMasterKey } from './domain/sealing.js';
import { isSendLimit, recordSecurityEvent } from './domain/security.js';
import type { EarlyListener } from './earlyListener.js';
import { installErrorHandlers } from './http/errors.js';
import { originAllowed } from './http/origin.js';
import { adminRoutes } from './http/routes/admin.js';
import { authRoutes } from './http/routes/auth.js';
import { e2eeRoutes } from './http/routes/e2ee.js';
import { healthRoutes } from './http/routes/health.js';
import { invitationRoutes } from './http/routes/invitations.js';
import { moderationRoutes } from './http/routes/moderation.js';
import { roomRoutes } from './http/routes/rooms.js';
import { sessionRoutes } from './http/routes/sessions.js';
import { totpRoutes } from './http/routes/totp.js';
import { attachGateway, type Gateway } from './realtime/gateway.js';
import { createNotifier } from './realtime/notifier.js';
import { Registry } from './realtime/registry.js';
import { type Database, openDatabase } from './store/db.js';
import { messagesAfterWithHead } from './store/messages.js';
import { findRoom } from './store/rooms.js';

export interface Salon {
  app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  database: Database;
  broker: Broker;
  /** What the domain actions run with (store, notifier, limits, clock). */
  domain: DomainContext;
  /** This process's room feeds and sockets (`registry.feedStats`: how replays were served). */
  registry: Registry;
  /**
   * Every route as registered (`method` as fastify got it, one string or several), in registration order,
   * static files of the web client and the HEAD twins of GET routes included. For tests that must cover them all.
   */
  routes: ReadonlyArray<{ method: string | string[]; url: string }>;
  /** Stops accepting, tells clients to reconnect elsewhere, finishes in-flight work, closes everything. */
  stop(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** Composition root: opens storage and broker, wires domain, HTTP and WebSocket layers, and listens. */
export async function startSalon(config: Config, opts: { listener?: EarlyListener } = {}): Promise<Salon> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: config.trustProxy,
    // Start-up on a loaded two-core machine (PGlite, migrations) can outlast the 10 s default.
    pluginTimeout: 60_000,
    // URLs the router refuses before any route or hook runs (bad percent-encoding, a path parameter over 100
    // characters) answer in the contract's shape too, instead of Fastify's own body (and its status 414).
    frameworkErrors: (err, _request, reply) =>
      (reply as FastifyReply).status(400).send({
        error: {
          code: 'invalid_request',
          message: err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path parameter too long' : 'malformed URL',
        },
      }),
    // Per-request lines only when debugging: at chat rates they would drown everything else.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
  });
  // Added before any route, so that it sees them all (plugins inherit the hooks that precede them).
  const routes: Array<{ method: string | string[]; url: string }> = [];
  app.addHook('onRoute', (route) => {
    routes.push({ method: route.method, url: route.url });
  });
  const log = app.log;
  const database = await openDatabase(config.database, (err) =>
    log.warn({ err: err.message }, 'database client error'),
  );
  const db = database.db;
  const sealer = new BodySealer(
    db,
    resolveMasterKey(config),
    config.previousMasterKeys.map(parseMasterKey),
    config.keyPeriodSeconds,
  );
  const registry = new Registry(
    {
      lastSeq: async (roomId) => (await findRoom(db, roomId))?.lastSeq ?? 0,
      messagesAfter: (roomId, after, limit) => messagesAfterWithHead(db, sealer, roomId, after, limit, new Date()),
    },
    log,
  );
  const broker = config.redisUrl
    ? await createRedisBroker(config.redisUrl, registry.onBrokerMessage, {
        onError: (err) => log.warn({ err: err.message }, 'redis error'),
        onRecovered: () => {
          log.info('redis is back: catching up every room from the store');
          registry.resync();
        },
      })
    : createMemoryBroker(registry.onBrokerMessage);
  registry.broker = broker;
  // Rate-limit counters live in Redis when there is one, so every process spends from the same budget.
  const limiterRedis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true })
    : null;
  limiterRedis?.on('error', (err) => log.debug({ err: err.message }, 'rate-limit redis error'));
  const limits = new Limits(config.limits, limiterRedis, (name, key) => {
    const [userId, roomId] = isSendLimit(name) ? key.split(':') : [];
    domain.security({ kind: 'rate_limited', userId: userId ?? null, roomId: roomId ?? null, details: { limit: name } });
  });
  const domain: DomainContext = {
    db,
    prepared: database.prepared,
    notify: createNotifier(broker, log),
    limits,
    sealer,
    now: () => new Date(),
    security: (event) => recordSecurityEvent({ ctx: domain, log }, event),
    requireTotp: config.requireTotp,
    // PGlite runs one transaction at a time: a second batch would only wait, and be smaller.
    sendBatchesInFlight: database.kind === 'postgres' ? 2 : 1,
    sendLingerMs: database.kind === 'postgres' ? 2 : 3,
    lastSeqHint: (roomId) => registry.lastSeqSeen(roomId),
  };
  let draining = false;

  await app.register(fastifyCookie);
  installErrorHandlers(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    const unsafe = request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS';
    if (unsafe && !originAllowed(config.origins, request.headers.origin, request.headers.host)) {
      return reply.status(403).send({ error: { code: 'forbidden', message: 'origin not allowed' } });
    }
    if (draining && request.url.startsWith('/api/')) {
      return reply.status(503).send({ error: { code: 'unavailable', message: 'server shutting down' } });
    }
  });
  healthRoutes(app, { db, broker, draining: () => draining });
  authRoutes(app, domain, { secureCookies: config.secureCookies });
  await app.register(async (scope) => roomRoutes(scope, domain));
  await app.register(async (scope) => invitationRoutes(scope, domain));
  await app.register(async (scope) => moderationRoutes(scope, domain));
  await app.register(async (scope) => adminRoutes(scope, domain));
  await app.register(async (scope) => sessionRoutes(scope, domain));
  await app.register(async (scope) => totpRoutes(scope, domain));
  await app.register(async (scope) => e2eeRoutes(scope, domain));
  await serveWebClient(app, config.webDir);

  let gateway: Gateway | undefined;
  try {
    gateway = attachGateway(app.server, {
      domain,
      registry,
      log,
      options: {
        origins: config.origins,
        trustProxy: config.trustProxy,
        heartbeatMs: config.heartbeatMs,
        maxBufferedBytes: config.maxBufferedBytes,
      },
    });
    if (opts.listener) {
      // The port is already open (main.ts): serve what it accepted, and everything after.
      await app.ready();
      opts.listener.attach((socket) => {
        app.server.emit('connection', socket);
        socket.resume();
      });
    } else {
      await app.listen({ host: config.host, port: config.port, backlog: config.listenBacklog });
    }
  } catch (err) {
    await gateway?.close();
    await broker.close();
    await database.close();
    throw err;
  }
  const stopPurge = config.purgeIntervalMs > 0 ? schedulePurge(domain, config.purgeIntervalMs, log) : () => undefined;
  const address = app.server.address();
  const port = opts.listener?.port ?? (typeof address === 'object' && address ? address.port : config.port);
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, database: database.kind, broker: broker.kind }, 'salon listening');

  return {
    app,
    url,
    database,
    broker,
    domain,
    registry,
    routes,
    async stop() {
      draining = true;
      stopPurge();
      await gateway?.drain(config.shutdownGraceMs);
      await gateway?.close();
      // The early listener stops accepting at once, and is closed once its connections are (it accepted them).
      const listenerClosed = opts.listener?.close();
      await app.close();
      // The HTTP server never listened: fastify leaves its keep-alive connections open, so they are closed here.
      opts.listener?.destroyConnections();
      await listenerClosed;
      await broker.close();
      limiterRedis?.disconnect();
      await database.close();
    },
  };
}

/** The built React client at `/`, with the SPA's index.html for client-side routes; JSON 404s under /api. */
async function serveWebClient(app: FastifyInstance, webDir: string): Promise<void> {
  const hasWeb = existsSync(`${webDir}/index.html`);
  if (hasWeb) await app.register(fastifyStatic, { root: webDir, wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    if (hasWeb && request.method === 'GET' && !request.url.startsWith('/api/')) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send({ error: { code: 'not_found', message: 'no such endpoint' } });
  });
}
