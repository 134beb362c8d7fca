/**
 * How the pump retries a failed read or write over a system (docs: pump properties and the URL
 * system's `retry_strategy`). This is the one place that decides which retry settings a
 * failure gets; sources (sources.ts) and sinks (sinks.ts) do the retrying.
 *
 * Reads (json and csv sources, over http(s) or from local files):
 *
 *   max_read_retries               retries of a failed read (default 0: the run fails at the
 *                                  first); a read is one request (one page when paging) or
 *                                  reading one local file
 *   read_retry_delay               seconds to wait before each of them (default 0: at once)
 *
 * A read error is an HTTP answer that is not 2xx, a request that got no answer (refused,
 * reset, timed out), or a local source file that is missing or cannot be read. A failed read
 * yields nothing, so retrying it repeats no entity. When the retries are used up the run
 * fails with the read's own error.
 *
 * Writes (the json push sink):
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
 * timeout, a local file). A property set on the pump itself always wins. A wait before a
 * retry ends early when the run is asked to stop.
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

/** What one failed read or write is retried with. */
export interface Retry {
  readonly maxReadRetries: number;
  /** Milliseconds. */
  readonly readRetryDelayMs: number;
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

/**
 * The settings a failure with this status (undefined: no answer came) is retried with: the
 * pump's own, over the system's strategy for the status, over the docs' defaults.
 */
export function retryFor(pump: RetrySettings | undefined, strategy: unknown, status: number | undefined): Retry {
  const s: RetrySettings = { ...strategyFor(strategy, status), ...pump };
  return {
    maxReadRetries: Math.floor(s.max_read_retries ?? 0),
    readRetryDelayMs: (s.read_retry_delay ?? 0) * 1000,
    batchRetries: Math.floor(s.batch_retries ?? 3),
    maxConsecutiveWriteErrors: Math.max(1, Math.floor(s.max_consecutive_write_errors ?? 1)),
    writeRetryDelayMs: (s.write_retry_delay ?? 0) * 1000,
  };
}

/** How often a wait before a retry looks whether the run should stop. */
const STOP_CHECK_MS = 200;

/** Waits `ms` before a retry, ending early when the run is asked to stop; false then. */
export async function retryWait(ms: number, stopRequested: (() => boolean) | undefined): Promise<boolean> {
  if (ms <= 0) return true;
  const until = Date.now() + ms;
  for (;;) {
    if (stopRequested?.() === true) return false;
    const left = until - Date.now();
    if (left <= 0) return true;
    await new Promise((r) => setTimeout(r, Math.min(left, STOP_CHECK_MS)));
  }
}
