/**
 * Errors a user caused (bad arguments) are shown by the Pulumi CLI as their message alone: one
 * line (or the message's own lines), without the stack trace of our internals and without the
 * ANSI colours Node's inspector adds to an unknown error's properties.
 *
 * The Node SDK's program runner prints an uncaught error that is a `pulumi.RunError` with
 * `log.error(err.message)` and every other error with its whole inspected stack. It recognises a
 * RunError by a `__pulumiRunError` member that is `true` (`RunError.isInstance`), not by its
 * class, so an error of ours keeps its own class (`instanceof WebhookSetArgsError`,
 * `instanceof NexudusError`) and is shown as a RunError. The member is not enumerable, so it never
 * shows up when the error is printed or serialised.
 *
 * @module
 */

/** Marks `error` to be shown by the Pulumi CLI as its message only; returns it. */
export function shownAsMessage<E extends Error>(error: E): E {
  Object.defineProperty(error, "__pulumiRunError", {
    value: true,
    enumerable: false,
    configurable: true,
  });
  return error;
}
