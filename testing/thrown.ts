/**
 * What a call throws, for tests that assert on the error itself: fails the test when the call
 * returns, so that no assertion about the error can pass by not running (as one written inside a
 * `catch` would).
 */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to throw, but it returned");
}
