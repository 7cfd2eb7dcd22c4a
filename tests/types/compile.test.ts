/**
 * The package's types as a TypeScript user gets them (#21 items 3-4): the `npm pack` tarball,
 * installed into a project on disk, and a user's program type-checked by this repository's `tsc`
 * under each module setting a user may have (classic CommonJS with node10 resolution and no
 * esModuleInterop, node16, bundler with esnext and with preserve), strict and without
 * skipLibCheck, so that our .d.ts and everything they reach are checked too.
 *
 * - `program.ts` (and, under node16, `program.mts`: an ES module) imports every entry of the
 *   package.json `exports` map and uses the public classes, error classes and functions: 0 errors.
 * - `mistakes.ts` holds the mistakes a TypeScript user makes with an action or argument name, one
 *   a line: each must be one error at that entry, quoting the misspelt name and suggesting the
 *   right one, without a dump of the 90 action names (the types name `WebhookActionName`,
 *   `WebhookSetHook`, `WebhookActionEnum` instead: client/actions.ts).
 *
 * One pack and one install per file; `@pulumi/pulumi` and `@types/node` are this repository's
 * own (symlinked: the project's installs need no registry).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recordFigures, type FigureRow } from "../../testing/figures";
import { packTarball, REPO_ROOT } from "../../testing/pulumiCli";

const TSC = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
/** The longest one tsc run may take (it takes about 10 s). */
const TSC_TIMEOUT_MS = 180_000;

const exportsMap = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    exports: Record<string, unknown>;
  }
).exports;
/** Every entry a user can import: "pulumi-nexudus", "pulumi-nexudus/provider", ... */
const ENTRIES = Object.keys(exportsMap)
  .filter((k) => k !== "./package.json")
  .map((k) => (k === "." ? "pulumi-nexudus" : `pulumi-nexudus/${k.slice(2)}`));

/** A user's program that uses the public API: it must compile under every setting. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as nexudus from "pulumi-nexudus";
import { WebHook, WebhookSet, WebhookAction, type WebhookActionName } from "pulumi-nexudus";
import { webhookProvider, exclusionProvider } from "pulumi-nexudus/provider";
import { startEmulator, signPayload, type EmulatorHandle } from "pulumi-nexudus/emulator";
// @ts-expect-error internals are not importable: only the entries of the exports map
import type {} from "pulumi-nexudus/provider/webhook";

const config = new pulumi.Config("hooks");
const businessId = config.getNumber("businessId") ?? 1234;

// Actions by name, by number, through the enum object and as an Output.
const six: 6 = WebhookAction.BookingCreate;
const byName = new WebHook("by-name", {
  businessId,
  name: "Bookings",
  action: "BookingCreate",
  url: pulumi.secret("https://hooks.example.com/bookings"),
});
const byNumber = new nexudus.WebHook("by-number", {
  businessId: pulumi.output(businessId),
  name: pulumi.interpolate\`Bookings \${byName.webhookId}\`,
  action: six,
  url: "https://hooks.example.com/bookings",
  description: "six",
  active: false,
  adopt: true,
});
const fromOutput = new WebHook("from-output", {
  businessId,
  name: "Updates",
  action: pulumi.output<WebhookActionName>("BookingUpdate"),
  url: "https://hooks.example.com/bookings",
});

// A set: shorthand names and numbers, the long form, names from a typed list.
const more: WebhookActionName[] = ["CoworkerCreate", "CoworkerUpdate"];
const names: nexudus.WebhookActionName[] = Object.keys(WebhookAction) as (keyof typeof WebhookAction)[];
const hook: nexudus.WebhookSetHook = { action: "BookingDelete", url: "https://hooks.example.com/d", key: "d" };
const set = new WebhookSet("set", {
  businessId,
  url: "https://hooks.example.com/all",
  hooks: ["BookingCreate", 7, WebhookAction.TeamCreated, hook, ...more, { action: 8, name: "Deletes" }],
  namePrefix: "Pulumi set",
  exclusive: true,
  alsoKeep: { ids: [byName.webhookId, byNumber.webhookId], namePrefixes: ["Zapier"], otherSets: true },
});
const members: pulumi.Output<Record<string, nexudus.WebhookSetMember>> = set.webhooks;
const children: Readonly<Record<string, nexudus.WebHook>> = set.resources;
const unmanaged: pulumi.Output<nexudus.UnmanagedWebhook[]> | undefined = set.exclusion?.unmanaged;

// The plugin-backed classes and the functions.
const account = new nexudus.native.Provider("account", { baseUrl: "https://spaces.nexudus.com", token: config.requireSecret("token") });
const native = new nexudus.native.WebHook(
  "native",
  { businessId, name: "Native", action: "BookingCreate", url: "https://hooks.example.com/n" },
  { provider: account, aliases: [nexudus.native.fromDynamic] },
);
const found = nexudus.native.getWebhooks({ businessId, action: "BookingCreate", active: true }, { provider: account });
const one = nexudus.native.getWebhook({ webhookId: 1 });
const actions = nexudus.native.getWebhookActions();
const name: WebhookActionName | undefined = nexudus.actionName(6);
const number: nexudus.WebhookActionNumber | undefined = nexudus.actionNumber("BookingCreate");

// Every error class the package throws, told apart with instanceof.
function explain(e: unknown): string {
  if (e instanceof nexudus.NexudusThrottledError) return \`throttled, retry in \${e.retryAfterMs ?? 0} ms\`;
  if (e instanceof nexudus.NexudusValidationError) return e.fieldErrors.map((f) => f.property + ": " + f.message).join("; ");
  if (e instanceof nexudus.NexudusAuthError || e instanceof nexudus.NexudusNotFoundError) return e.message;
  if (e instanceof nexudus.NexudusRoutingError || e instanceof nexudus.NexudusConflictError) return e.message;
  if (e instanceof nexudus.NexudusServerError || e instanceof nexudus.NexudusConnectionError) return e.message;
  if (e instanceof nexudus.NexudusTimeoutError || e instanceof nexudus.NexudusResponseError) return e.message;
  if (e instanceof nexudus.NexudusApiError) return \`\${e.method} \${e.path}: \${e.status ?? "no answer"}\`;
  if (e instanceof nexudus.NexudusConfigError) return \`\${e.option}: \${e.rule ?? e.message}\`;
  if (e instanceof nexudus.WebhookSetArgsError) return \`\${e.setName}: \${e.problems.join("; ")}\`;
  if (e instanceof nexudus.NexudusError) return e.name;
  return String(e);
}

// The dynamic providers the serialized state loads, and the emulator for a user's own tests.
const providers: pulumi.dynamic.ResourceProvider[] = [webhookProvider, exclusionProvider];
async function emulated(): Promise<number> {
  const emulator: EmulatorHandle = await startEmulator({ port: 0 });
  try {
    return emulator.records().length + signPayload("[]", "secret").length;
  } finally {
    await emulator.stop();
  }
}

export const outputs = {
  ids: set.webhookIds,
  ...{ fromOutput: fromOutput.actionName, members, children, unmanaged, native: native.webhookId },
  ...{ found: found.webhooks, one: one.url, actions: actions.actions, name, number },
  ...{ explain, providers, emulated },
};
`;

/** The same user as an ES module (node16 only: the other settings read .mts as they read .ts). */
const PROGRAM_ESM = `import * as pulumi from "@pulumi/pulumi";
import { WebHook, WebhookSet, NexudusApiError, native } from "pulumi-nexudus";
import { webhookProvider } from "pulumi-nexudus/provider";
import { startEmulator } from "pulumi-nexudus/emulator";

const hook = new WebHook("esm", { businessId: 1, name: "n", action: "BookingCreate", url: "https://x.example" });
const set = new WebhookSet("esm-set", { businessId: 1, url: "https://x.example", hooks: ["BookingUpdate", 8] });
const plugin = new native.WebHook("esm-native", { businessId: 1, name: "n", action: 6, url: "https://x.example" });
export const ids: pulumi.Output<number>[] = [hook.webhookId, plugin.webhookId];
export const setIds = set.webhookIds;
export const isApi = (e: unknown): boolean => e instanceof NexudusApiError && e.status === 409;
export const entries = [webhookProvider, startEmulator];
`;

interface Mistake {
  /** What the user wrote wrong (the test's name). */
  what: string;
  /** The line, which holds the misspelt name once. */
  code: string;
  /** The text the error must start at (the entry at fault: the list item, or the property). */
  at: string;
  /** How the message must quote the misspelt name. */
  quotes: string;
  /** The suggestion the message must make. */
  suggests: string;
}

const TYPO = "BokingCreate";
const MISTAKES: Mistake[] = [
  {
    what: "a misspelt name in a WebhookSet's hooks list",
    code: `new nexudus.WebhookSet("s1", { businessId: 1, url: "https://x.example", hooks: ["BookingCreate", "${TYPO}"] });`,
    at: `"${TYPO}"`,
    quotes: `Type '"${TYPO}"'`,
    suggests: `Did you mean '"BookingCreate"'?`,
  },
  {
    what: "a misspelt action in the long form of a hook",
    code: `new nexudus.WebhookSet("s2", { businessId: 1, hooks: [7, { action: "${TYPO}", url: "https://x.example" }] });`,
    at: `action: "${TYPO}"`,
    quotes: `Type '"${TYPO}"'`,
    suggests: `Did you mean '"BookingCreate"'?`,
  },
  {
    what: "a misspelt action of a WebHook",
    code: `new nexudus.WebHook("h", { businessId: 1, name: "n", action: "${TYPO}", url: "https://x.example" });`,
    at: `action: "${TYPO}"`,
    quotes: `Type '"${TYPO}"'`,
    suggests: `Did you mean '"BookingCreate"'?`,
  },
  {
    what: "a misspelt action of a plugin-backed WebHook",
    code: `new nexudus.native.WebHook("n", { businessId: 1, name: "n", action: "${TYPO}", url: "https://x.example" });`,
    at: `action: "${TYPO}"`,
    quotes: `Type '"${TYPO}"'`,
    suggests: `Did you mean '"BookingCreate"'?`,
  },
  {
    what: "a misspelt action filter of getWebhooks",
    code: `nexudus.native.getWebhooks({ businessId: 1, action: "${TYPO}" });`,
    at: `action: "${TYPO}"`,
    quotes: `Type '"${TYPO}"'`,
    suggests: `Did you mean '"BookingCreate"'?`,
  },
  {
    what: "a misspelt member of the WebhookAction enum",
    code: `export const action = nexudus.WebhookAction.${TYPO};`,
    at: TYPO,
    quotes: `Property '${TYPO}'`,
    suggests: `Did you mean 'BookingCreate'?`,
  },
  {
    what: "an action name in the wrong case",
    code: `new nexudus.WebhookSet("s3", { businessId: 1, hooks: [{ action: "bookingcreate", url: "https://x.example" }] });`,
    at: `action: "bookingcreate"`,
    quotes: `Type '"bookingcreate"'`,
    suggests: `Did you mean '"BookingCreate"'?`,
  },
  {
    what: "a misspelt argument of a WebHook",
    code: `new nexudus.WebHook("h2", { buisnessId: 1, name: "n", action: "BookingCreate", url: "https://x.example" });`,
    at: "buisnessId",
    quotes: `'buisnessId' does not exist in type 'WebHookArgs'`,
    suggests: `Did you mean to write 'businessId'?`,
  },
  {
    what: "a misspelt field of a hook's long form",
    code: `new nexudus.WebhookSet("s4", { businessId: 1, hooks: [{ acton: "BookingCreate", url: "https://x.example" }] });`,
    at: "acton",
    quotes: `'acton' does not exist in type 'WebhookSetHookArgs'`,
    suggests: `Did you mean to write 'action'?`,
  },
];
const MISTAKES_HEADER = `import * as nexudus from "pulumi-nexudus";\n`;
const MISTAKES_FILE = MISTAKES_HEADER + MISTAKES.map((m) => m.code).join("\n") + "\n";
/** The line number (1-based) of each mistake in mistakes.ts. */
const lineOf = (i: number) => i + 2;

interface Setting {
  label: string;
  name: string;
  options: Record<string, unknown>;
  files: string[];
}
const STRICT = { strict: true, noEmit: true, target: "ES2022", lib: ["ES2022"] };
const SETTINGS: Setting[] = [
  {
    label: "module commonjs, moduleResolution node10, no esModuleInterop",
    name: "node10",
    options: { ...STRICT, module: "commonjs", moduleResolution: "node", esModuleInterop: false },
    files: ["program.ts", "mistakes.ts"],
  },
  {
    label: "module node16, moduleResolution node16 (a CommonJS and an ES module user)",
    name: "node16",
    options: { ...STRICT, module: "node16", moduleResolution: "node16" },
    files: ["program.ts", "program.mts", "mistakes.ts"],
  },
  {
    label: "module esnext, moduleResolution bundler",
    name: "bundler-esnext",
    options: { ...STRICT, module: "esnext", moduleResolution: "bundler" },
    files: ["program.ts", "mistakes.ts"],
  },
  {
    label: "module preserve, moduleResolution bundler",
    name: "bundler-preserve",
    options: { ...STRICT, module: "preserve", moduleResolution: "bundler" },
    files: ["program.ts", "mistakes.ts"],
  },
];

interface TscError {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

/** tsc's diagnostics (`--pretty false`: one `file(line,col): error TSn: message` each). */
function parseTsc(output: string): TscError[] {
  const errors: TscError[] = [];
  for (const line of output.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) {
      errors.push({
        file: m[1]!,
        line: Number(m[2]),
        column: Number(m[3]),
        code: m[4]!,
        message: m[5]!,
      });
    } else if (line.startsWith(" ") && errors.length > 0) {
      errors[errors.length - 1]!.message += "\n" + line; // a message's continuation lines
    }
  }
  return errors;
}

/** Runs the repository's tsc on a tsconfig of the project; resolves with all it printed. */
function tsc(project: string, tsconfig: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [TSC, "-p", tsconfig, "--pretty", "false"],
      { cwd: project, encoding: "utf8", timeout: TSC_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const output = stdout + stderr;
        if (err && typeof err.code !== "number") {
          reject(new Error(`tsc -p ${tsconfig} did not finish (${err.message}):\n${output}`));
        } else {
          resolve({ code: err ? (err.code as number) : 0, output });
        }
      },
    );
  });
}

let work: string;
let project: string;
let tarball: string;
/** One row a setting, printed at the end of `npm test`. */
const figures: FigureRow[] = [];

beforeAll(async () => {
  tarball = packTarball();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-types-"));
  project = path.join(work, "user");
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "user-types", private: true }, null, 2),
  );
  // The tarball and its dependencies (axios, zod) from npm's cache; the peer @pulumi/pulumi is
  // not installed by npm (--legacy-peer-deps) but linked below, as this repository's.
  await new Promise<void>((resolve, reject) =>
    execFile(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--legacy-peer-deps",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        tarball,
      ],
      { cwd: project, encoding: "utf8", timeout: 300_000 },
      (err, _stdout, stderr) =>
        err ? reject(new Error(`npm install ${tarball}: ${err.message}\n${stderr}`)) : resolve(),
    ),
  );
  for (const dep of ["@pulumi/pulumi", "@types/node"]) {
    const link = path.join(project, "node_modules", dep);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dep), link, "dir");
  }
  fs.writeFileSync(path.join(project, "program.ts"), PROGRAM);
  fs.writeFileSync(path.join(project, "program.mts"), PROGRAM_ESM);
  fs.writeFileSync(path.join(project, "mistakes.ts"), MISTAKES_FILE);
  for (const s of SETTINGS) {
    fs.writeFileSync(
      path.join(project, `tsconfig.${s.name}.json`),
      JSON.stringify({ compilerOptions: s.options, files: s.files }, null, 2),
    );
  }
}, 360_000);

afterAll(() => {
  if (figures.length > 0) recordFigures("TypeScript settings: the packed package's types", figures);
  if (work) fs.rmSync(work, { recursive: true, force: true });
  // packTarball's folder holds this file's tarball only.
  if (tarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
});

test("the user's program imports every entry of the exports map", () => {
  const imported = [...PROGRAM.matchAll(/from "(pulumi-nexudus[^"]*)"/g)].map((m) => m[1]);
  expect(ENTRIES.filter((e) => !imported.includes(e))).toEqual([]);
  expect(ENTRIES).toEqual(expect.arrayContaining(["pulumi-nexudus", "pulumi-nexudus/provider"]));
});

describe.each(SETTINGS)("tsc with $label, strict, no skipLibCheck", (setting) => {
  let errors: TscError[];
  let output: string;

  beforeAll(async () => {
    const started = Date.now();
    const r = await tsc(project, `tsconfig.${setting.name}.json`);
    output = r.output;
    errors = parseTsc(output);
    figures.push({
      setting: setting.name,
      "errors outside mistakes.ts": errors.filter((e) => e.file !== "mistakes.ts").length,
      "errors in mistakes.ts": errors.filter((e) => e.file === "mistakes.ts").length,
      mistakes: MISTAKES.length,
      "tsc (s)": Math.round((Date.now() - started) / 100) / 10,
    });
    // Every failure is a diagnostic line: tsc printed nothing it was not asked to.
    expect({ code: r.code, unparsed: errors.length === 0 && r.code !== 0 ? output : "" }).toEqual({
      code: r.code,
      unparsed: "",
    });
  }, TSC_TIMEOUT_MS + 10_000);

  test("the user's program and the package's .d.ts compile with 0 errors", () => {
    const outside = errors.filter((e) => e.file !== "mistakes.ts");
    // On failure, the message is what tsc printed (less the lines of the expected mistakes).
    const printed = output
      .split("\n")
      .filter((l) => !l.startsWith("mistakes.ts("))
      .join("\n");
    expect(outside.length === 0 ? "0 errors" : printed).toBe("0 errors");
  });

  test.each(MISTAKES.map((m, i) => ({ ...m, i })))(
    "$what: one error at the entry, naming it, with a suggestion and no list of names",
    (m) => {
      const line = lineOf(m.i);
      const here = errors.filter((e) => e.file === "mistakes.ts" && e.line === line);
      const shown = here.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`);
      expect({ count: here.length, shown }).toEqual({ count: 1, shown });
      const [e] = here as [TscError];
      expect({ column: e.column, message: e.message }).toEqual({
        column: m.code.indexOf(m.at) + 1,
        message: expect.stringContaining(m.quotes),
      });
      expect(e.message).toContain(m.suggests);
      // The expected type is named (WebhookActionName, WebhookSetHook, WebhookActionEnum), not
      // spelt out: no other action name, no "... 80 more ...", one short line.
      expect({
        message: e.message,
        dump: /CoworkerUpdate|\.\.\. \d+ more/.test(e.message),
      }).toEqual({ message: e.message, dump: false });
      expect(e.message.length).toBeLessThan(200);
    },
  );

  test("mistakes.ts has no other error", () => {
    const lines = MISTAKES.map((_, i) => lineOf(i));
    const other = errors.filter((e) => e.file === "mistakes.ts" && !lines.includes(e.line));
    expect(other).toEqual([]);
  });
});
