/**
 * A misspelt action (a JavaScript user, or a cast) through the real `pulumi` CLI: the one line
 * with the suggestion, without a stack trace of our internals, ANSI codes (not a terminal,
 * NO_COLOR) or the SDK's "Channel has been shut down" noise. Run several times: the noise came in
 * some runs only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { makeProgram, PulumiSession, useE2e, webhookResources } from "../../testing/pulumiCli";

const TOKEN = "e2e-user-errors-token-4c1a";
const RUNS = Number(process.env.E2E_RUNS ?? 3);

const e2e = useE2e({ name: "user-errors", token: TOKEN });
let pulumi: PulumiSession;

const PROGRAM = `import * as nexudus from "pulumi-nexudus";
// A JavaScript user (or a cast): the type would have caught it.
const action = "BookingCreat" as unknown as "BookingCreate";
new nexudus.WebHook("typo", {
  businessId: 1234,
  name: "Bookings",
  action,
  url: "https://hooks.example.com/typo",
});
for (let i = 0; i < 5; i++) {
  new nexudus.WebHook("fine-" + i, {
    businessId: 1234,
    name: "Fine " + i,
    action: "BookingUpdate",
    url: "https://hooks.example.com/fine-" + i,
  });
}
`;

/** What a user must see, and must not. */
function expectOneClearError(out: string): void {
  expect(out).toContain('did you mean "BookingCreate"?');
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  expect(out).not.toMatch(/\x1b\[/);
  expect(out).not.toMatch(/Channel has been shut down|resource monitor shut down/);
  expect(out).not.toMatch(/^\s+at .*(node_modules|dist\/|provider\/|sdk\/)/m);
  expect(out).not.toContain(TOKEN);
}

const SET_PROGRAM = `import * as nexudus from "pulumi-nexudus";
const hooks = ["BookingCreat", "BookingUpdate"] as unknown as "BookingCreate"[];
new nexudus.WebhookSet("location", {
  businessId: 1234,
  url: "https://hooks.example.com/set",
  hooks,
});
`;

/** `RUNS` times preview and up in `dir`: each fails with the one clear line. */
async function failsClearly(dir: string): Promise<void> {
  await e2e.stack(dir, "dev");
  for (let i = 0; i < RUNS; i++) {
    for (const cmd of [["preview"], ["up", "--yes"]]) {
      const r = await pulumi.run(dir, cmd, { timeoutMs: 180_000 });
      const out = r.stdout + r.stderr;
      if (process.env.E2E_SHOW) console.log(out);
      expect(r.code).not.toBe(0);
      expectOneClearError(out);
    }
  }
}

beforeAll(async () => {
  ({ pulumi } = e2e);
}, 600_000);

test(`a bad action on a standalone WebHook: one clear line, ${RUNS} runs of preview and up`, async () => {
  const dir = makeProgram(e2e.root, "bad-action", { files: { "index.ts": PROGRAM } });
  await failsClearly(dir);
}, 900_000);

test(`a bad action in a WebhookSet: one clear line, ${RUNS} runs of preview and up`, async () => {
  const dir = makeProgram(e2e.root, "bad-set-action", { files: { "index.ts": SET_PROGRAM } });
  await failsClearly(dir);
}, 900_000);

test("a plain http:// target off loopback: a warning, the up goes on; NEXUDUS_ALLOW_PLAIN_HTTP=1 silences it", async () => {
  const program = `import * as nexudus from "pulumi-nexudus";
new nexudus.WebHook("plain", {
  businessId: 1234,
  name: "Plain",
  action: "BookingCreate",
  url: "http://hooks.example.com/plain",
});
`;
  const dir = makeProgram(e2e.root, "plain-http", { files: { "index.ts": program } });
  await e2e.stack(dir, "dev");
  const r = await pulumi.run(dir, ["up", "--yes"]);
  const out = r.stdout + r.stderr;
  if (process.env.E2E_SHOW) console.log(out);
  expect(r.code).toBe(0);
  expect(out).toMatch(/warning: .*plain http:\/\/ on hooks\.example\.com/);
  expect(e2e.emulator.records().map((x) => x.URL)).toContain("http://hooks.example.com/plain");

  const quiet = new PulumiSession(pulumi.cli, e2e.root, { NEXUDUS_ALLOW_PLAIN_HTTP: "1" });
  const p = await quiet.run(dir, ["preview", "--refresh"]);
  expect(p.code).toBe(0);
  expect(p.stdout + p.stderr).not.toContain("plain http://");
}, 600_000);

test("preview --diff names the action; a state written before the name was stored sees no change", async () => {
  const program = (action: string) => `import * as nexudus from "pulumi-nexudus";
new nexudus.WebHook("named", {
  businessId: 1234,
  name: "Named",
  action: "${action}",
  url: "https://hooks.example.com/named",
});
`;
  const dir = makeProgram(e2e.root, "action-name", {
    files: { "index.ts": program("BookingCreate") },
  });
  await e2e.stack(dir, "dev");
  const created = await pulumi.run(dir, ["preview", "--diff"]);
  expect(created.code).toBe(0);
  expect(created.stdout).toMatch(/^\s+action\s*: 6$/m);
  expect(created.stdout).toMatch(/^\s+actionName\s*: "BookingCreate"$/m);
  expect((await pulumi.run(dir, ["up", "--yes", "--skip-preview"])).code).toBe(0);

  fs.writeFileSync(path.join(dir, "index.ts"), program("BookingUpdate"));
  const changed = await pulumi.run(dir, ["preview", "--diff"]);
  expect(changed.code).toBe(0);
  expect(changed.stdout).toMatch(/~ actionName\s*: "BookingCreate" => "BookingUpdate"/);

  // A stack written before the name was stored: its inputs have no actionName.
  fs.writeFileSync(path.join(dir, "index.ts"), program("BookingCreate"));
  const exported = await pulumi.exportStack(dir);
  for (const r of webhookResources(exported)) delete r.inputs!.actionName;
  const file = path.join(e2e.root, "no-action-name.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await pulumi.ok(dir, ["stack", "import", "--file", file]);
  e2e.emulator.clearRequests();
  expect((await pulumi.run(dir, ["preview", "--expect-no-changes"])).code).toBe(0);
  await pulumi.ok(dir, ["up", "--yes", "--skip-preview", "--expect-no-changes"]);
  expect(
    e2e.emulator.requests().filter((r) => r.method !== "GET" && r.route !== "unknown"),
  ).toEqual([]);
  const after = webhookResources(await pulumi.exportStack(dir))[0]!;
  expect(after.inputs!.actionName).toBe("BookingCreate");
}, 600_000);
