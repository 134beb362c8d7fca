/** Shared test helpers for runtime unit tests. */
import assert from 'node:assert/strict';
import { DateTime, type Value } from '../src/values/types.js';
import type { FnContext, Lambda } from '../src/functions/types.js';

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

/** An argument as compiled code passes it: a value, a lambda, or absent. */
export type TestArg = Value | Lambda | undefined;

/**
 * Looks functions up in an implementation table and binds them to a context, so a test can
 * write `S('upper')('abc')`; a missing name fails the test rather than returning undefined.
 */
export function functionCaller(table: object, cx: FnContext = testContext()): (name: string) => (...args: TestArg[]) => Value {
  return (name) => {
    const impl = (table as Record<string, ((cx: FnContext, ...args: TestArg[]) => Value) | undefined>)[name];
    assert.ok(impl, `missing ${name}`);
    return (...args) => impl(cx, ...args);
  };
}
