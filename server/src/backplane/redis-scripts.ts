// Lua run atomically inside Redis: each is one round trip and can't interleave with another
// instance's. Entries of a room's presence hash are JSON (see PresenceEntry).

/** KEYS: peers hash, instance index set, order counter. ARGV: peerId, expected conn ('' = absent), entry JSON, index member. */
export const PUT_PEER = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local entry = cjson.decode(ARGV[3])
if cur then
  local old = cjson.decode(cur)
  if old.conn ~= ARGV[2] then return 0 end
  entry.order = old.order
else
  if ARGV[2] ~= '' then return 0 end
  entry.order = redis.call('INCR', KEYS[3])
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
redis.call('SADD', KEYS[2], ARGV[4])
return 1
`;

/** KEYS: peers hash, history zset, instance index set. ARGV: peerId, field, value, index member. */
export const REMOVE_PEER = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
if cjson.decode(cur)[ARGV[2]] ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[4])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) end
return 1
`;

/** KEYS: seq counter, history zset, peers hash. ARGV: message JSON, history limit. Returns {seq as a string, peers}. */
export const APPEND = `
local seq = redis.call('INCR', KEYS[1])
-- Lua prints numbers with 14 significant digits; seq has 16: format it as an integer.
local s = string.format('%d', seq)
local peers = redis.call('HLEN', KEYS[3])
local limit = tonumber(ARGV[2])
if limit > 0 and peers > 0 then
  redis.call('ZADD', KEYS[2], s, s .. ':' .. ARGV[1])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -limit - 1)
end
return {s, peers}
`;
