/** Firebase Hosting keeps a preview channel at most 30 days (`ttl` / `expireTime`). */
export const MAX_CHANNEL_TTL_SECONDS = 30 * 86_400;
