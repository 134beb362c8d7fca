/** Shared test helpers for runtime unit tests. */
import { DateTime } from '../src/values/types.js';
import type { FnContext } from '../src/functions/types.js';

/** A context with fixed, predictable answers (now = 2020-01-01T00:00:00Z). */
export function testContext(overrides: Partial<FnContext> = {}): FnContext {
  return {
    pipeId: 'test-pipe',
    namespaced: false,
    identityNamespace: 'test-pipe',
    propertyNamespace: 'test-pipe',
    namespaceMap: { _: 'http://example.org/' },
    now: () => new DateTime(1577836800000000000n),
    lookupEntity: () => null,
    previousSource: () => undefined,
    completeness: () => null,
    secret: () => undefined,
    ...overrides,
  };
}
