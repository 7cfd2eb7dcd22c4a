/**
 * The limiter's send spacing against jittered round trips (client/ratelimit/limiter.ts): in virtual time,
 * a burst of creates (a POST, then a GET once it is answered) goes through the client's limiter to
 * a server that counts each request with the emulator's own sliding windows (emulator/limits.ts,
 * an independent implementation of the documented limits) at a point between its send and its
 * answer: on arrival (after a jittered trip there) or at the end of a jittered processing time.
 * Round trips come from seeded random draws; no request may be throttled.
 */
import { RateLimiter as ServerLimits } from "../../emulator/limits";
import { RateLimiter } from "../../client/ratelimit/limiter";
import { VirtualTime } from "../../testing/virtualTime";

/** A seeded uniform random source in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A round trip: to the server, processing, and back, each `base + U(0, jitter)` ms. */
interface Network {
  there: [number, number];
  processing: [number, number];
  back: [number, number];
  /** Where the server counts a request: on arrival, or once it has processed it. */
  counts: "arrival" | "processed";
}

const TIME_FACTOR = 0.1;
/**
 * Seeds of the random draws. Seeds 1 to 100 were checked by hand (0 throttles in 120,000 calls);
 * with the spread widened by (n + 1) / (n − 1) instead of jitterWiden, seeds 37 and 39 drew one.
 */
const SEEDS = [1, 2, 3, 4, 5];

async function burst(n: number, net: Network, seed: number, sendSpacing = true) {
  const time = new VirtualTime();
  const random = seeded(seed);
  const draw = ([base, jitter]: [number, number]) => base + random() * jitter;
  const server = new ServerLimits({}, TIME_FACTOR, () => time.now);
  const limiter = new RateLimiter({
    timeFactor: TIME_FACTOR,
    clock: time.clock,
    stats: { acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 },
    random,
    sendSpacing,
  });
  let throttled = 0;
  const writes: number[] = [];
  const call = (write: boolean) =>
    limiter.acquire(write).then(
      (slot) =>
        new Promise<void>((resolve) => {
          if (write) writes.push(time.now);
          const arrival = time.now + draw(net.there);
          const processed = arrival + draw(net.processing);
          time.at(net.counts === "arrival" ? arrival : processed, () => {
            if (server.check("user", write) !== undefined) throttled++;
          });
          time.at(processed + draw(net.back), () => {
            slot.done();
            resolve();
          });
        }),
    );
  const creates = Promise.all(Array.from({ length: n }, () => call(true).then(() => call(false))));
  await time.run();
  await creates;
  const spacing = (writes[writes.length - 1]! - writes[0]!) / (writes.length - 1);
  return { throttled, spacing, end: time.now };
}

const NETWORKS: Record<string, Network> = {
  "a 150 ms round trip, ±10% on each leg, counted on arrival": {
    there: [67, 15],
    processing: [2, 1],
    back: [67, 15],
    counts: "arrival",
  },
  "a 150 ms round trip, ±10% on each leg, counted once processed": {
    there: [67, 15],
    processing: [2, 1],
    back: [67, 15],
    counts: "processed",
  },
  "a jittery 15 ms trip there (0 to 10 ms more), counted on arrival": {
    there: [15, 10],
    processing: [0, 1],
    back: [1, 1],
    counts: "arrival",
  },
  "jitter as large as the round trip (loopback under load), counted once processed": {
    there: [0, 3],
    processing: [0, 3],
    back: [0, 3],
    counts: "processed",
  },
};

describe("send spacing under jittered round trips", () => {
  it.each(Object.entries(NETWORKS))("%s: no throttle", async (_name, net) => {
    for (const seed of SEEDS) {
      const r = await burst(150, net, seed);
      expect({ seed, throttled: r.throttled }).toEqual({ seed, throttled: 0 });
    }
  });

  it("paces a burst of creates well below a round trip a call when round trips are steady", async () => {
    const net = NETWORKS["a 150 ms round trip, ±10% on each leg, counted on arrival"]!;
    const bySend = await burst(40, net, 7);
    const byAnswer = await burst(40, net, 7, false);
    // Each create is a POST, then its GET once the POST is answered. Counted from answers, the
    // POSTs go a round trip apart and more (about 163 ms here); from sends plus the margin, well
    // under half of that (about 69 ms: the POSTs and GETs of several creates overlap).
    expect(bySend.throttled).toBe(0);
    expect(byAnswer.throttled).toBe(0);
    expect(bySend.spacing).toBeLessThan(0.6 * byAnswer.spacing);
  });
});
