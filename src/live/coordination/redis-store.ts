/**
 * The live store in Redis, shared by every process of every replica that
 * has the same `REDIS_URL`: leases are keys with an expiry, a topic's log
 * is a stream capped exactly (by length and age: a resume from a trimmed
 * cursor must be told), broadcasts go over one pub/sub channel. Each step
 * that must not be seen half done is one Lua script.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisConnection } from '../../redis/connection.js';
import { SPEND_FUNCTION } from '../../redis/write-budget.js';
import { ENCODED_GAP } from './event-codec.js';
import type { LiveStore, Publication, TopicEntry } from './live-store.js';

const PREFIX = 'nodepool-gateway:live';
const CHANNEL = `${PREFIX}:events`;
/** Cursors of this store: `r.<stream id>`. */
const CURSOR_PREFIX = 'r.';

const key = (kind: 'lease' | 'log' | 'snapshot' | 'confirmed' | 'wish', topic: string) =>
  `${PREFIX}:${kind}:${topic}`;
const BUDGETS = { log: `${PREFIX}:written:log`, snapshot: `${PREFIX}:written:snapshot` };
/** What an unlogged stretch leaves in the log: a resume across it gets RESYNC. */

/** Takes the lease if free, renews it if ours. */
const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if held then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: log, snapshot, confirmed, the log budget, the snapshot budget. ARGV: channel, topic, log length (0:
 * not logged), log max age ms, snapshot ('' for none), snapshot ttl ms, the log budget's bytes, the
 * snapshot budget's bytes, the gap marker, then the events. Appends and trims (within the log budget, else
 * one gap marker says events went unlogged), stores the snapshot or renews the stored one (within the
 * snapshot budget, else lets it expire), notes that it is current, and broadcasts.
 */
const PUBLISH = `${SPEND_FUNCTION}
local logLength = tonumber(ARGV[3])
local maxAge = tonumber(ARGV[4])
local snapshotTtl = tonumber(ARGV[6])
local gap = ARGV[9]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local entries = {}
local logged = false
if logLength > 0 and #ARGV > 9 then
  local bytes = 0
  for i = 10, #ARGV do bytes = bytes + #ARGV[i] + 64 end
  -- An entry lives until its stream's next trim past maxAge, or its key's expiry: two maxAge at most.
  logged = spend(KEYS[4], 2 * maxAge, tonumber(ARGV[7]), bytes, nowMs)
end
for i = 10, #ARGV do
  local id = ''
  if logged then id = redis.call('XADD', KEYS[1], 'MAXLEN', logLength, '*', 'e', ARGV[i]) end
  entries[#entries + 1] = { id, ARGV[i] }
end
if logged then
  redis.call('XTRIM', KEYS[1], 'MINID', tostring(nowMs - maxAge))
  redis.call('PEXPIRE', KEYS[1], maxAge)
elseif logLength > 0 and #entries > 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
  if not last or last[2][2] ~= gap then
    redis.call('XADD', KEYS[1], 'MAXLEN', logLength, '*', 'e', gap)
    redis.call('PEXPIRE', KEYS[1], maxAge)
  end
end
-- A snapshot is held as long as polls renew it: each renewal spends its size again.
local size = #ARGV[5]
if size == 0 then size = redis.call('STRLEN', KEYS[2]) end
if size > 0 and spend(KEYS[5], snapshotTtl, tonumber(ARGV[8]), size, nowMs) then
  if ARGV[5] ~= '' then redis.call('SET', KEYS[2], ARGV[5], 'PX', snapshotTtl) end
  if redis.call('PEXPIRE', KEYS[2], snapshotTtl) == 1 then redis.call('SET', KEYS[3], nowMs, 'PX', snapshotTtl) end
end
if #entries > 0 then redis.call('PUBLISH', ARGV[1], cjson.encode({ ARGV[2], entries })) end
return #entries`;

/**
 * What the deployment's live state holds in Redis at most, whatever the number of credentials: the logged
 * events of every scope together, and their snapshots (pool lists). Past them, events go unlogged (a resume
 * across them gets RESYNC) and snapshots expire (the next poller starts afresh, with a gap in the log).
 */
export const REDIS_LIVE_LIMITS = { logBytes: 256 * 1024 * 1024, snapshotBytes: 128 * 1024 * 1024 };

export interface RedisStoreOptions {
  redis: RedisConnection;
  warn: (obj: object, msg: string) => void;
  /** What the deployment's logs and snapshots hold at most; default {@link REDIS_LIVE_LIMITS}. */
  limits?: { logBytes: number; snapshotBytes: number };
}

interface Commands {
  liveClaim(lease: string, owner: string, ttlMs: number): Promise<number>;
  liveRelease(lease: string, owner: string): Promise<number>;
  livePublish(
    log: string,
    snapshot: string,
    confirmed: string,
    logBudget: string,
    snapshotBudget: string,
    ...args: (string | number)[]
  ): Promise<number>;
}

/**
 * The live store on the process's shared Redis connections. Commands fail
 * at once while Redis is unreachable (no offline queue), so that the live
 * layer polls for itself meanwhile; the channel's subscription comes back
 * with the connection.
 */
export function createRedisStore(options: RedisStoreOptions): LiveStore {
  const owner = randomUUID();
  const client: Redis = options.redis.commands;
  if (!('liveClaim' in client)) {
    client.defineCommand('liveClaim', { numberOfKeys: 1, lua: CLAIM });
    client.defineCommand('liveRelease', { numberOfKeys: 1, lua: RELEASE });
    client.defineCommand('livePublish', { numberOfKeys: 5, lua: PUBLISH });
  }
  const limits = options.limits ?? REDIS_LIVE_LIMITS;
  const commands = client as unknown as Redis & Commands;
  const handlers: ((topic: string, entries: TopicEntry[]) => void)[] = [];
  options.redis.subscribe(CHANNEL, (message) => {
    let parsed: [string, [string, string][]];
    try {
      parsed = JSON.parse(message) as [string, [string, string][]];
    } catch {
      options.warn({}, 'a live event in Redis could not be read; skipped');
      return;
    }
    const [topic, raw] = parsed;
    const entries = raw.map(([id, data]) => ({ id: id ? `${CURSOR_PREFIX}${id}` : '', data }));
    for (const handler of handlers) handler(topic, entries);
  });
  // A process that just started waits for its first connection (a couple of seconds at most) rather
  // than polling alone for its first subscribers; later outages fail at once.
  const firstConnection = options.redis.ready;
  const streamId = (cursor: string) => cursor.slice(CURSOR_PREFIX.length);
  return {
    shared: true,
    get connected() {
      return options.redis.connected;
    },
    claim: async (lease, ttlMs) => {
      await firstConnection;
      return (await commands.liveClaim(key('lease', lease), owner, ttlMs)) === 1;
    },
    release: async (lease) => {
      await commands.liveRelease(key('lease', lease), owner);
    },
    publish: async (publication: Publication) => {
      const { topic, log } = publication;
      await commands.livePublish(
        key('log', topic),
        key('snapshot', topic),
        key('confirmed', topic),
        BUDGETS.log,
        BUDGETS.snapshot,
        CHANNEL,
        topic,
        log?.length ?? 0,
        log?.maxAgeMs ?? 0,
        publication.snapshot ?? '',
        publication.snapshotTtlMs ?? log?.maxAgeMs ?? 60_000,
        limits.logBytes,
        limits.snapshotBytes,
        ENCODED_GAP,
        ...publication.events,
      );
    },
    snapshot: async (topic) => {
      const [data, confirmed] = await client.mget(key('snapshot', topic), key('confirmed', topic));
      return data == null ? undefined : { data, confirmedAt: Number(confirmed ?? 0) };
    },
    replay: async (topic, cursor) => {
      const id = streamId(cursor);
      const found = await client.xrange(key('log', topic), id, '+');
      if (found[0]?.[0] !== id) return undefined;
      return found
        .slice(1)
        .map(([entryId, fields]) => ({ id: `${CURSOR_PREFIX}${entryId}`, data: fields[1] ?? '' }));
    },
    newest: async (topic) => {
      const [last] = await client.xrevrange(key('log', topic), '+', '-', 'COUNT', 1);
      return last ? `${CURSOR_PREFIX}${last[0]}` : undefined;
    },
    owns: (cursor) => cursor.startsWith(CURSOR_PREFIX) && /^\d+-\d+$/.test(streamId(cursor)),
    want: async (topic, wishes, ttlMs) => {
      await firstConnection;
      if (wishes.length === 0) return;
      const until = Date.now() + ttlMs;
      const wishKey = key('wish', topic);
      await client
        .multi()
        .zremrangebyscore(wishKey, '-inf', Date.now())
        .zadd(wishKey, ...wishes.flatMap((wish) => [until, `${owner}|${wish}`]))
        .pexpire(wishKey, ttlMs)
        .exec();
    },
    wanted: async (topic) => {
      const wishKey = key('wish', topic);
      const members = await client.zrangebyscore(wishKey, Date.now(), '+inf');
      return [...new Set(members.map((member) => member.slice(member.indexOf('|') + 1)))];
    },
    listen: (handler) => {
      handlers.push(handler);
    },
    // The connection is the process's: it closes last, after the leases given up on stop went out.
    close: async () => {},
  };
}
