// A recorded RIPE Atlas result stream: what a WebSocket client of atlas-stream.ripe.net/stream/
// prints, one message a line, each `[type, payload]` (docs: atlas.ripe.net/docs/apis/streaming-api,
// "Format": ["atlas_subscribe", {...}] sent, ["atlas_subscribed", {...}] back, then
// ["atlas_result", result] per result, ["atlas_error", ...] on errors). Read as NDJSON, each line
// was an array the readers did not take, and a file whose every result was read came out as
// "half the values could not be used" (exit 7). Here a message is unwrapped: a result is the
// result, the subscription's own messages are not values, an error is said.

/** the first characters of a recorded stream (the first line is a message) */
export const STREAM_HEAD = /^\[\s*"atlas_[a-z_]+"\s*,/

/** messages about the subscription, not data: neither a value nor an error */
const CONTROL = new Set(['atlas_subscribe', 'atlas_subscribed', 'atlas_unsubscribe', 'atlas_unsubscribed'])

export type StreamMessage =
  | {kind: 'result'; result: unknown}
  | {kind: 'control'}
  | {kind: 'error'; payload: unknown}
  /** a message of another stream (probe connections, measurement metadata): no result in it */
  | {kind: 'other'; type: string}

/** What a value is as a stream message; null when it is not one (an ordinary value). */
export function atlasStreamMessage(v: unknown): StreamMessage | null {
  if (!Array.isArray(v) || v.length < 1 || v.length > 2 || typeof v[0] !== 'string' || !v[0].startsWith('atlas_')) return null
  const type = v[0]
  if (type === 'atlas_result') return {kind: 'result', result: v[1]}
  if (CONTROL.has(type)) return {kind: 'control'}
  if (type === 'atlas_error') return {kind: 'error', payload: v[1]}
  return {kind: 'other', type}
}
