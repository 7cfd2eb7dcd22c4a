/**
 * The error classes are public: a program that catches an error from the provider (or any part
 * of the package) can tell the families apart with `instanceof` against the classes exported from
 * the package root, `pulumi-nexudus`. Run in a plain Node process (outside jest's module sandbox,
 * as a user's program or the dynamic-provider host loads the package), against the emulator over
 * real HTTP.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { EmulatorHandle } from "../../emulator";
import { REPO_ROOT } from "../support/host";
import { BUSINESS, READER, startTestEmulator } from "./helpers";

const run = promisify(execFile);

/** The error classes the docs' Errors table names, all exported from the package root. */
const CLASSES = [
  "NexudusError",
  "NexudusApiError",
  "NexudusValidationError",
  "NexudusAuthError",
  "NexudusNotFoundError",
  "NexudusRoutingError",
  "NexudusThrottledError",
  "NexudusConflictError",
  "NexudusServerError",
  "NexudusConnectionError",
  "NexudusTimeoutError",
  "NexudusResponseError",
  "NexudusConfigError",
];

/** Runs each case's call in a fresh Node process and reports which root classes its error is. */
const PROBE = `
const root = require("pulumi-nexudus");
const { webhookProvider } = require("pulumi-nexudus/provider");
const [baseUrl, token, business] = process.argv.slice(1);
const classes = ${JSON.stringify(CLASSES)};
const hook = { businessId: Number(business), name: "errors probe", action: "BookingCreate",
  url: "https://hooks.example.com/errors-probe" };
async function attempt(config, call) {
  try {
    await webhookProvider.configure({ config: { get: (k) => config[k] } });
    await call();
    return { thrown: false };
  }
  catch (e) {
    return { thrown: true, name: e.name, is: classes.filter((c) => typeof root[c] === "function" && e instanceof root[c]) };
  }
}
(async () => {
  const out = {
    exported: classes.filter((c) => typeof root[c] === "function"),
    auth: await attempt({ "nexudus:baseUrl": baseUrl, "nexudus:token": token },
      () => webhookProvider.create(hook)),
    config: await attempt({ "nexudus:baseUrl": "ftp://nowhere", "nexudus:token": token },
      () => webhookProvider.create(hook)),
  };
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator?.stop());

test("every class the Errors table names is exported from the root and matches what the provider throws", async () => {
  const { stdout } = await run(
    process.execPath,
    ["-e", PROBE, emulator.url, READER.apiToken, String(BUSINESS)],
    { cwd: REPO_ROOT, env: { ...process.env, NEXUDUS_TOKEN: "", NEXUDUS_BASE_URL: "" } },
  );
  const out = JSON.parse(stdout) as Record<
    string,
    { thrown: boolean; name: string; is: string[] }
  > & {
    exported: string[];
  };
  expect(out.exported).toEqual(CLASSES);
  // A reader token may not create: an auth error, which is an API error and a Nexudus error.
  expect(out.auth).toEqual({
    thrown: true,
    name: "NexudusAuthError",
    is: ["NexudusError", "NexudusApiError", "NexudusAuthError"],
  });
  // A bad setting: a configuration error, nothing sent.
  expect(out.config).toEqual({
    thrown: true,
    name: expect.stringMatching(/ConfigError$/),
    is: ["NexudusError", "NexudusConfigError"],
  });
});
