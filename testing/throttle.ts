/**
 * The one tolerance for 409s in the throttle scenarios (client bursts and hosts at the API's
 * documented limits, time-scaled by 0.02): at most one per phase.
 *
 * Why one and not zero: at that time factor the API's 100 ms spacing is 2 ms, less than the
 * loopback jitter of a loaded 2-core machine, so one request can overtake another on the way and
 * draw a 409 the limiter did not cause (seen in CI). The client waits it out and sends the request
 * again, so it costs time, never an answer: the scenarios still demand every request answered and
 * no error. Why not more: two overtakes in one phase would mean the pacing itself is off, and the
 * pacing is proven exactly, with a fake clock, in limiter.test.ts and limiter.property.test.ts.
 */
export const TOLERATED_409S = 1;

/** How many of the logged requests the emulator answered with 409. */
export function count409s(requests: readonly { status: number }[]): number {
  return requests.filter((r) => r.status === 409).length;
}
