/**
 * How a sink that writes over HTTP retries a failed write (docs: pump properties and the URL
 * system's `retry_strategy`). Three of the pump's retry properties govern it:
 *
 *   batch_retries                  retries of a failed batch request (default 3), made at once
 *                                  after a short backoff
 *   max_consecutive_write_errors   write errors in a row the run tolerates (default 1: the run
 *                                  fails at the first); a write error is a request that still
 *                                  fails after its batch retries
 *   write_retry_delay              seconds to wait after a tolerated write error before the write
 *                                  is tried again (default 0: at once)
 *
 * The local runtime keeps no retry dataset (max_retries_per_entity, max_write_errors_in_retry_dataset
 * and dead letters need Sesam's execution log), so a tolerated write error does not skip the
 * entities: the same request is tried again, and the run goes on only once it has succeeded.
 *
 * A system's `retry_strategy` gives defaults for these properties per HTTP status code: its
 * keys are codes ("429"), ranges ("400-428") or lists of both ("500,502,504"), and "default"
 * covers every other status and failures without one (a refused or reset connection, a
 * timeout). A property set on the pump itself always wins.
 */

/** The pump properties a retry strategy may set (the docs' list). */
export const RETRY_PROPERTIES = [
  'max_read_retries',
  'read_retry_delay',
  'write_retry_delay',
  'max_retries_per_entity',
  'max_consecutive_write_errors',
  'max_write_errors_in_retry_dataset',
  'batch_retries',
] as const;

export type RetryProperty = (typeof RETRY_PROPERTIES)[number];
export type RetrySettings = Partial<Record<RetryProperty, number>>;

/** What one failed write is retried with. */
export interface WriteRetry {
  readonly batchRetries: number;
  readonly maxConsecutiveWriteErrors: number;
  /** Milliseconds. */
  readonly writeRetryDelayMs: number;
}

/** The retry properties set in a config object (a pump, or one entry of a retry strategy). */
export function retrySettings(config: unknown): RetrySettings {
  const out: RetrySettings = {};
  if (!config || typeof config !== 'object' || Array.isArray(config)) return out;
  for (const k of RETRY_PROPERTIES) {
    const v = (config as Record<string, unknown>)[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[k] = v;
  }
  return out;
}

/** Whether a retry_strategy key ("429", "400-428", "500,502,504") covers the status. */
function keyCovers(key: string, status: number): boolean {
  return key.split(',').some((part) => {
    const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(part);
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return status >= lo && status <= hi;
  });
}

/**
 * The retry strategy entry for a status: the first key that covers it, in the order written,
 * else "default"; a failure without a status (no answer came) gets "default".
 */
export function strategyFor(strategy: unknown, status: number | undefined): RetrySettings {
  if (!strategy || typeof strategy !== 'object' || Array.isArray(strategy)) return {};
  const entries = Object.entries(strategy as Record<string, unknown>);
  if (status !== undefined) {
    for (const [key, value] of entries) if (key !== 'default' && keyCovers(key, status)) return retrySettings(value);
  }
  return retrySettings((strategy as Record<string, unknown>)['default']);
}

/** The settings a failed write is retried with: the pump's own, over the system's strategy for the status, over the docs' defaults. */
export function writeRetry(pump: RetrySettings | undefined, strategy: unknown, status: number | undefined): WriteRetry {
  const s: RetrySettings = { ...strategyFor(strategy, status), ...pump };
  return {
    batchRetries: Math.floor(s.batch_retries ?? 3),
    maxConsecutiveWriteErrors: Math.max(1, Math.floor(s.max_consecutive_write_errors ?? 1)),
    writeRetryDelayMs: (s.write_retry_delay ?? 0) * 1000,
  };
}
