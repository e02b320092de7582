import { createHash } from 'node:crypto';
import type { RateLimitAlgorithm } from './rate-limit-policy';

/**
 * A Lua script run atomically by Redis: one key (`KEYS[1]`), numeric arguments, and an integer reply that is an
 * Admission (`>= 0` admitted with that many left, `< 0` refused for that many ms). Called by EVALSHA with `sha`.
 */
export interface RateLimitScript {
  readonly algorithm: RateLimitAlgorithm;
  readonly lua: string;
  readonly sha: string;
}

/** ARGV: limit, window ms. INCR and PEXPIRE: the key's window starts with its first request, on any data plane. */
const FIXED_WINDOW = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local count = redis.call('INCR', KEYS[1])
local ttl = window
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], window)
else
  ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], window)
    ttl = window
  end
end
if count <= limit then
  return limit - count
end
return -math.max(1, ttl)
`;

/**
 * ARGV: limit, window ms. A sliding-window counter in one hash (i: window index, p: previous count, c: current
 * count), windows aligned on Redis's clock (TIME), so that every data plane agrees. Only admitted requests count.
 * The local SlidingWindowCounter and slidingWindowRetryAfterMs compute the same.
 */
const SLIDING_WINDOW = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local index = math.floor(now / window)
local state = redis.call('HMGET', KEYS[1], 'i', 'p', 'c')
local stored = tonumber(state[1])
local previous = 0
local current = 0
if stored == index then
  previous = tonumber(state[2]) or 0
  current = tonumber(state[3]) or 0
elseif stored == index - 1 then
  previous = tonumber(state[3]) or 0
end
local start = index * window
local estimate = previous * (1 - (now - start) / window) + current
if estimate + 1 <= limit then
  redis.call('HSET', KEYS[1], 'i', string.format('%d', index), 'p', previous, 'c', current + 1)
  redis.call('PEXPIRE', KEYS[1], 2 * window)
  return math.floor(limit - estimate - 1)
end
local room = limit - current - 1
local wait
if room >= 0 and previous > 0 then
  wait = start + (1 - room / previous) * window - now
else
  local decayed = 0
  if current > 0 then
    decayed = math.max(0, 1 - (limit - 1) / current)
  end
  wait = start + window + decayed * window - now
end
return -math.max(1, math.ceil(wait))
`;

/**
 * ARGV: capacity, limit, window ms. Stored tokens (t) and when they were counted (u, Redis's clock: TIME), refilled
 * at limit / window per ms up to capacity. Refused requests write nothing.
 */
const TOKEN_BUCKET = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
elseif now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * rate)
  updated = now
end
if tokens < 1 then
  return -math.max(1, math.ceil((1 - tokens) / rate))
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'u', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return math.floor(tokens)
`;

function script(algorithm: RateLimitAlgorithm, lua: string): RateLimitScript {
  return Object.freeze({ algorithm, lua, sha: createHash('sha1').update(lua).digest('hex') });
}

export const RATE_LIMIT_SCRIPTS: Readonly<Record<RateLimitAlgorithm, RateLimitScript>> = Object.freeze({
  FixedWindow: script('FixedWindow', FIXED_WINDOW),
  SlidingWindow: script('SlidingWindow', SLIDING_WINDOW),
  TokenBucket: script('TokenBucket', TOKEN_BUCKET),
});
