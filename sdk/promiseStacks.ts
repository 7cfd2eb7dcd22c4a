/**
 * Pulumi's SDK records a formatted stack trace on every promise it makes while a resource
 * registers (`debuggablePromise` in `@pulumi/pulumi/runtime/debuggable`: four per output property,
 * a dozen more per resource), only to print them in its leak report when
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set. Formatting them, through source-map-support in a
 * TypeScript program, was most of a large program's time and peak memory: 3,000 `WebHook`s took
 * 23 s and peaked at 1,149 MB under `setMocks`, and 4.3 s and 686 MB without those traces
 * (`npm run bench -- --scale`, `programMemory`).
 *
 * Our constructors therefore register their resources with `Error.stackTraceLimit` at 0:
 * - Pulumi's own capture of where a resource was declared (`Resource.stackTrace`, sent to the
 *   engine) sets its own limit and restores ours, so it is unaffected;
 * - with `PULUMI_DEBUG_PROMISE_LEAKS` set, nothing changes (the user is debugging leaks);
 * - an error thrown while the limit is 0 gets its stack captured again where it leaves our
 *   constructor, so a bad argument still points at the program line that declared it.
 *
 * The limit is restored before the constructor returns; promises made later (after an `await`
 * inside the SDK) keep their traces.
 *
 * @module
 */

/** Turns the traces off (see the module header) and returns the function that restores them. */
export function quietPromiseStacks(): () => void {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return () => undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}

/**
 * Restores the traces after `error` was thrown with them off, and gives `error` a stack from here
 * (the constructor `from`, called by the program) when it was made without one.
 */
export function restoreAfterThrow(
  restore: () => void,
  error: unknown,
  from: abstract new (...args: never[]) => unknown,
): void {
  restore();
  if (error instanceof Error && !/\n\s+at /.test(error.stack ?? "")) {
    Error.captureStackTrace(error, from);
  }
}
