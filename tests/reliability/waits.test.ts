/**
 * Bounded waits through the REAL dynamic-provider host: with the day's 5,000
 * writes already spent by another process of this user (its calls in the shared call history),
 * `pulumi up` of one webhook fails at once, with no POST, naming the limit, the count and when it
 * frees, instead of waiting about a day in silence.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sha256 } from "../../client/auth";
import { historyKey } from "../../client/ratelimit/callHistory";
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { captureTemplate, hookFrom, startRig, type Rig } from "./helpers";

const TIME_FACTOR = 0.001; // a day lasts 86.4 s; the 5-minute bound 300 ms
const TOKEN = "tok-waits-host-81Rq";

let rig: Rig;
let template: CapturedResource;
let dir: string;

beforeAll(async () => {
  template = await captureTemplate();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-waits-host-"));
  rig = await startRig({
    token: TOKEN,
    emulator: { timeFactor: TIME_FACTOR },
    host: {
      env: { NEXUDUS_TIME_FACTOR: String(TIME_FACTOR), NEXUDUS_CALL_HISTORY: dir },
    },
  });
});

afterAll(async () => {
  const printed = await rig?.stop();
  expect(printed).not.toContain(TOKEN);
  fs.rmSync(dir, { recursive: true, force: true });
});

it("the day's writes spent by another process: up fails at once, 0 POSTs, naming the limit", async () => {
  const { emulator, host } = rig;
  // Another process of this user sent 5,000 writes 10 s (of a scaled 86.4 s day) ago.
  const key = historyKey(emulator.url, `token:${sha256(TOKEN)}`, TIME_FACTOR);
  fs.mkdirSync(path.join(dir, key), { recursive: true });
  const oldest = Date.now() - 10_000;
  const lines: string[] = [];
  for (let i = 1; i <= 5000; i++)
    lines.push(`s${i},${oldest + (i % 100)},w`, `a${i},${oldest + 105}`);
  fs.writeFileSync(path.join(dir, key, "31337-0000beef.calls"), lines.join("\n") + "\n");

  emulator.clearRequests();
  const hook = hookFrom(template, "spent-day", {
    name: "Spent day",
    url: "https://hooks.example.com/spent-day",
    action: "BookingCreate",
  });
  const engine = new Engine(host);
  const up = await engine.up([hook], { throwOnError: false });
  const messages = up.errors.map((s) => s.error?.message ?? "");
  expect(messages).toHaveLength(1);
  expect(messages[0]).toContain("POST /api/sys/webhooks was not sent");
  expect(messages[0]).toContain("the 5,000 writes per day limit is spent (5,000 counted");
  expect(messages[0]).toMatch(/frees at \d{4}-\d\d-\d\dT[\d:.]+Z, in about 1 min \d+ s/);
  expect(messages[0]).not.toContain(TOKEN);
  expect(emulator.requests().filter((r) => r.method === "POST")).toHaveLength(0);
  expect(emulator.records()).toHaveLength(0);
  expect(engine.state.size).toBe(0);
}, 30_000);
