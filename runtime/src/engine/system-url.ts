/**
 * Where a component of a `system:url` system points: the system's `url_pattern` (its `%s`
 * replaced by the component's `url`, or `url` appended) or `base_url` + `url`. An absolute
 * `url` (with a scheme) stands on its own next to a base_url. Sources and sinks share this so
 * the same config means the same address on both sides.
 */
export interface UrlSystem {
  readonly id: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** The joined URL, or undefined when the system has neither url_pattern nor base_url. */
export function systemUrl(sys: UrlSystem, rel: string): string | undefined {
  const pattern = sys.config.url_pattern;
  const base = sys.config.base_url;
  if (typeof pattern === 'string') return pattern.includes('%s') ? pattern.replace('%s', rel) : pattern + rel;
  if (typeof base === 'string') return /^[a-z][a-z0-9+.-]*:/i.test(rel) ? rel : base + rel;
  return undefined;
}

/** The string entries of a `headers` property (other values cannot be sent). */
function stringEntries(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Request headers of a component: the system's `headers` as defaults, the component's own on top. */
export function requestHeaders(sys: UrlSystem | undefined, component: Readonly<Record<string, unknown>>): Record<string, string> {
  return { ...stringEntries(sys?.config.headers), ...stringEntries(component.headers) };
}
