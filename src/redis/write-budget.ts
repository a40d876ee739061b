/**
 * A byte budget for what the gateway writes into Redis, shared by every
 * process of the deployment. What a store keeps expires within `windowMs`
 * of its write, so what it holds at any moment is at most what it wrote in
 * the current window and the one before: refusing a write that would take
 * those two past `maxBytes` bounds the store, however many callers write.
 * One Lua script, so that concurrent writers never overrun it together.
 */
import type { Redis } from 'ioredis';

/**
 * The Lua function behind every budget: `spend(name, windowMs, maxBytes, bytes, nowMs)` is true, and counts
 * the bytes, when the current window and the one before hold room for them. Other scripts (the live
 * store's publication) include it to spend within their own atomic step.
 */
export const SPEND_FUNCTION = `
local function spend(name, window, max, bytes, nowMs)
  local bucket = math.floor(nowMs / window)
  local current = name .. ':' .. bucket
  local used = tonumber(redis.call('GET', current) or '0') + tonumber(redis.call('GET', name .. ':' .. (bucket - 1)) or '0')
  if used + bytes > max then return false end
  redis.call('INCRBY', current, bytes)
  redis.call('PEXPIRE', current, 2 * window)
  return true
end`;

/** KEYS[1]: the budget's name. ARGV: window ms, max bytes, bytes wanted. 1 when granted, 0 when refused. */
const SPEND = `${SPEND_FUNCTION}
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if spend(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), nowMs) then return 1 end
return 0`;

interface SpendCommand {
  spendWriteBudget(name: string, windowMs: number, maxBytes: number, bytes: number): Promise<number>;
}

export interface WriteBudget {
  /** Whether `bytes` more may be written now; false also when Redis cannot be asked. */
  spend(bytes: number): Promise<boolean>;
}

/**
 * The write budget `name` (a key prefix of the gateway's) on `redis`: at
 * most `maxBytes` held by what expires within `windowMs` of its write.
 */
export function writeBudget(
  redis: Redis,
  name: string,
  { windowMs, maxBytes }: { windowMs: number; maxBytes: number },
): WriteBudget {
  if (!('spendWriteBudget' in redis))
    redis.defineCommand('spendWriteBudget', { numberOfKeys: 1, lua: SPEND });
  const commands = redis as unknown as SpendCommand;
  const window = Math.max(1, Math.ceil(windowMs));
  return {
    async spend(bytes) {
      try {
        return (await commands.spendWriteBudget(name, window, maxBytes, Math.ceil(bytes))) === 1;
      } catch {
        return false;
      }
    },
  };
}
