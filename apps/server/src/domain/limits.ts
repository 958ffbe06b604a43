import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.js';

/** One limit: `points` actions per `duration` seconds; `blockDuration` keeps the key refused after that. */
export interface LimitRule {
  points: number;
  duration: number;
  blockDuration?: number;
}

/**
 * Every limit, in one place, with defaults a research team will not hit in normal use. Keys are chosen so one
 * user's flood never limits another user: sends count per user and room, never per room alone.
 */
export const DEFAULT_LIMITS = {
  /** Login attempts from one address (password spraying). */
  loginIp: { points: 60, duration: 60 },
  /** Failed logins for one username before it locks (doubling lock time on each repeat, see lockouts). */
  loginFailures: { points: 5, duration: 15 * 60 },
  /** Lockouts of one username in a day: the nth lockout lasts 2^(n-1) minutes, at most an hour. */
  lockouts: { points: 1000, duration: 24 * 3600 },
  /** Failed logins from one address across all usernames. */
  loginIpFailures: { points: 50, duration: 3600, blockDuration: 3600 },
  registerIp: { points: 20, duration: 3600 },
  /** Messages by one user in one room: 10 a second sustained, bursts of 30. */
  sendUserRoom: { points: 30, duration: 3 },
  /** The same for accounts of the `bot` tier (integrations posting instrument data): 200 a second sustained. */
  sendUserRoomBot: { points: 600, duration: 3 },
  roomCreate: { points: 20, duration: 3600 },
  invite: { points: 60, duration: 60 },
  linkRedeem: { points: 20, duration: 60 },
  join: { points: 60, duration: 60 },
} satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof DEFAULT_LIMITS;
export type LimitRules = Record<LimitName, LimitRule>;

/** Reads `SALON_LIMITS` (JSON, e.g. `{"sendUserRoom": {"points": 1000}}`) over the defaults. */
export function limitsFromEnv(json: string | undefined): LimitRules {
  const rules: LimitRules = { ...DEFAULT_LIMITS };
  if (!json) return rules;
  const overrides = JSON.parse(json) as Partial<Record<LimitName, Partial<LimitRule>>>;
  for (const [name, rule] of Object.entries(overrides)) {
    if (!(name in rules)) throw new Error(`SALON_LIMITS: unknown limit ${name}`);
    rules[name as LimitName] = { ...rules[name as LimitName], ...rule };
  }
  return rules;
}

export const rateLimited = (msBeforeNext: number) =>
  new AppError('rate_limited', 'too many requests; slow down', { retryAfterMs: Math.max(1, Math.ceil(msBeforeNext)) });

/**
 * The limits counted on every send: with Redis, a process reserves their points a few at a time (a tenth of
 * the limit, at most 10) and spends them locally, instead of a Redis round trip before every message.
 */
const RESERVED_LIMITS: ReadonlySet<LimitName> = new Set(['sendUserRoom', 'sendUserRoomBot']);
const MAX_RESERVATION = 10;
/** Reservations kept at most; past it the expired ones go, then all (forgetting one only makes a limit stricter). */
const MAX_RESERVATIONS = 20_000;

/** Points of one key reserved from Redis by this process, valid until the key's window ends there. */
interface Reservation {
  left: number;
  /** When the window ends (Date.now() ms). */
  until: number;
  /** Points Redis said were left for everyone after this reservation. */
  remaining: number;
}

/**
 * The limiters, shared by every process through Redis when there is one (a budget half spent on A and half
 * on B is spent), in memory otherwise. If Redis fails, each process falls back to its own memory counters
 * rather than refusing everyone or letting everyone through.
 *
 * The per-send limits are reserved in small chunks (`RESERVED_LIMITS`): never more than the limit is spent
 * over all processes, since every reserved point is counted in Redis; a point a process reserved and did not
 * use before the window ended is lost, so a user spreading sends over several processes may be refused up to
 * (chunk - 1) points per other process early. Near the end of a budget, reservations shrink to what Redis said
 * was left, so a single process is exact.
 */
export class Limits {
  private readonly limiters: Record<LimitName, RateLimiterMemory | RateLimiterRedis>;
  private readonly chunks: Record<LimitName, number>;
  private readonly reserved = new Map<string, Reservation>();

  constructor(
    readonly rules: LimitRules,
    redis: Redis | null,
    /** Told of every refusal (security events). */
    private readonly onLimited: (name: LimitName, key: string) => void = () => undefined,
  ) {
    const make = (name: LimitName) => {
      const options = { keyPrefix: `salon:rl:${name}`, ...rules[name] };
      const memory = new RateLimiterMemory(options);
      return redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory }) : memory;
    };
    const names = Object.keys(rules) as LimitName[];
    this.limiters = Object.fromEntries(names.map((n) => [n, make(n)])) as Record<
      LimitName,
      RateLimiterMemory | RateLimiterRedis
    >;
    const chunk = (n: LimitName) =>
      redis && RESERVED_LIMITS.has(n) ? Math.min(MAX_RESERVATION, Math.floor(rules[n].points / 10)) : 1;
    this.chunks = Object.fromEntries(names.map((n) => [n, Math.max(1, chunk(n))])) as Record<LimitName, number>;
  }

  /** Spends points and says how many are left, or refuses with `rate_limited` and how long to wait. */
  async consume(name: LimitName, key: string, points = 1): Promise<RateLimiterRes> {
    if (this.chunks[name] > 1) return this.consumeReserved(name, key, points);
    return this.spend(name, key, points);
  }

  private async spend(name: LimitName, key: string, points: number): Promise<RateLimiterRes> {
    try {
      return await this.limiters[name].consume(key, points);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        this.onLimited(name, key);
        throw rateLimited(err.msBeforeNext);
      }
      throw err;
    }
  }

  /** Spends from this process's reservation of the key, reserving the next chunk from Redis when it is empty. */
  private async consumeReserved(name: LimitName, key: string, points: number): Promise<RateLimiterRes> {
    const id = `${name}:${key}`;
    const now = Date.now();
    const held = this.reserved.get(id);
    const current = held && held.until > now ? held : undefined;
    if (current && current.left >= points) {
      current.left -= points;
      const remaining = current.remaining + current.left;
      return new RateLimiterRes(remaining, current.until - now, this.rules[name].points - remaining, false);
    }
    // Within a window, Redis's last answer says how much is left for everyone: reserve no more than that.
    const chunk = this.chunks[name];
    const size = current ? Math.min(chunk, Math.max(points, current.remaining)) : chunk;
    const res = await this.spend(name, key, size).catch((err: unknown) => {
      this.reserved.delete(id);
      throw err;
    });
    if (this.reserved.size >= MAX_RESERVATIONS) this.prune(now);
    this.reserved.set(id, { left: size - points, until: now + res.msBeforeNext, remaining: res.remainingPoints });
    return res;
  }

  private prune(now: number): void {
    for (const [id, r] of this.reserved) if (r.until <= now) this.reserved.delete(id);
    if (this.reserved.size >= MAX_RESERVATIONS) this.reserved.clear();
  }

  /** Refuses if the key is already over its limit or blocked, without spending anything. */
  async check(name: LimitName, key: string): Promise<void> {
    const res = await this.limiters[name].get(key);
    if (res && res.consumedPoints > this.rules[name].points) throw rateLimited(res.msBeforeNext);
  }

  async block(name: LimitName, key: string, seconds: number): Promise<void> {
    this.reserved.delete(`${name}:${key}`);
    await this.limiters[name].block(key, seconds);
  }

  async reset(name: LimitName, key: string): Promise<void> {
    this.reserved.delete(`${name}:${key}`);
    await this.limiters[name].delete(key);
  }
}

/** Every limit multiplied: for test servers that register hundreds of users from one address. */
export function relaxedLimits(factor = 1000): LimitRules {
  const rules = { ...DEFAULT_LIMITS } as LimitRules;
  for (const name of Object.keys(rules) as LimitName[])
    rules[name] = { ...rules[name], points: rules[name].points * factor };
  return rules;
}
