/**
 * A mistyped `nexudus:*` stack config key through the real `pulumi` CLI: `pulumi config set
 * nexudus:tokn x` then `pulumi preview` fails naming the key and the one it meant, and no call
 * reaches the API (the typo would otherwise be ignored, and the environment's token used).
 */
import type { EmulatorHandle } from "../../emulator";
import { makeProgram, useE2e, type PulumiSession } from "./support";

const TOKEN = "e2e-config-keys-token-8b3d";

const e2e = useE2e({ name: "config-keys", token: TOKEN });
let emulator: EmulatorHandle;
let pulumi: PulumiSession;
let dir: string;

beforeAll(async () => {
  ({ emulator, pulumi } = e2e);
  dir = makeProgram(e2e.root, "config-keys", { example: "quickstart" });
  await e2e.stack(dir, "dev");
  await pulumi.ok(dir, ["config", "set", "businessId", "1234"]);
  await pulumi.ok(dir, ["config", "set", "--secret", "url", "https://hooks.example.com/e2e/keys"]);
}, 600_000);

test("pulumi preview with nexudus:tokn set fails with did-you-mean, and makes 0 API calls", async () => {
  await pulumi.ok(dir, ["config", "set", "nexudus:tokn", "x"]);
  emulator.clearRequests();
  const r = await pulumi.run(dir, ["preview", "--non-interactive"]);
  const out = r.stdout + r.stderr;
  expect(r.code).not.toBe(0);
  expect(out).toContain("nexudus:tokn is not a setting of the Nexudus provider");
  expect(out).toContain("did you mean nexudus:token?");
  expect(out).not.toContain(TOKEN);
  expect(emulator.requests()).toEqual([]);
}, 300_000);
