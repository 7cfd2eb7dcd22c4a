/**
 * No stale command in the docs: every shell command in README.md, CONTRIBUTING.md and docs/*.md
 * (the lines of ```sh / ```bash blocks, the `$ ` lines of ```console blocks) is run or checked
 * against what it names:
 * - `npm run <script>`: the script exists in package.json;
 * - `nexudus-webhooks ...`: run in-process against the emulator with a token, placeholders
 *   filled in; the command and every flag are accepted (exit code is not 2, the usage error);
 * - `pulumi ...`: the real CLI knows the subcommand (`pulumi <sub> --help` exits 0) and every
 *   flag the line gives is in that help.
 * The end-to-end suites run the lifecycle commands themselves (up, refresh, cancel, import...).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { run, EXIT } from "../../cli/main";
import { findPulumi, REPO_ROOT } from "../../testing/pulumiCli";

const TOKEN = "docs-commands-token-5c1e";

interface DocCommand {
  file: string;
  line: string;
}

/** Every shell command line of the docs. */
function docCommands(): DocCommand[] {
  const files = [
    "README.md",
    "CONTRIBUTING.md",
    ...fs
      .readdirSync(path.join(REPO_ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const out: DocCommand[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
    for (const m of text.matchAll(/```(sh|bash|shell|console)\n([\s\S]*?)```/g)) {
      const console = m[1] === "console";
      // A line ending in a backslash goes on on the next one.
      for (const raw of m[2]!.replace(/\\\n\s*/g, " ").split("\n")) {
        const trimmed = raw.trim();
        if (console && !trimmed.startsWith("$ ")) continue; // output, not a command
        const line = trimmed
          .replace(/^\$ /, "")
          .replace(/\s+#.*$/, "")
          .trim();
        if (line !== "" && !line.startsWith("#")) out.push({ file, line });
      }
    }
  }
  return out;
}

/** Splits a command line on `&&`, `|` and `;`, and a segment into words (quotes kept together). */
function segments(line: string): string[][] {
  return line
    .split(/&&|\||;/)
    .map((seg) => seg.replace(/\s[12]?>\s*\S+/g, "").trim()) // drop redirections
    .filter(Boolean)
    .map((seg) => [...seg.matchAll(/"[^"]*"|'[^']*'|<[^>]*>|\S+/g)].map((w) => w[0]));
}

const ALL = docCommands();
const BY_TOOL = (tool: string) =>
  ALL.flatMap((c) =>
    segments(c.line)
      .filter((words) => words[0] === tool || (words[0] === "npx" && words[1] === tool))
      .map((words) => ({ ...c, words: words[0] === "npx" ? words.slice(1) : words })),
  );

test("the docs hold commands to check (the extraction itself works)", () => {
  expect(ALL.length).toBeGreaterThan(20);
  expect(BY_TOOL("npm").length).toBeGreaterThan(3);
  expect(BY_TOOL("nexudus-webhooks").length).toBeGreaterThan(3);
  expect(BY_TOOL("pulumi").length).toBeGreaterThan(3);
});

describe("npm scripts the docs name exist", () => {
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const npm = BY_TOOL("npm").filter((c) => c.words[1] === "run");
  it.each(npm.map((c) => [`${c.file}: ${c.line}`, c.words[2]!] as const))("%s", (_where, name) => {
    expect(Object.keys(scripts)).toContain(name);
  });
});

describe("nexudus-webhooks commands of the docs run against the emulator", () => {
  let emulator: EmulatorHandle;
  let work: string;
  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      users: [
        {
          username: "docs@example.com",
          password: "pw",
          roles: ["Administrator"],
          apiTokens: [TOKEN],
        },
      ],
    });
    emulator.insert({
      BusinessId: 1234,
      Name: "Docs hook",
      Action: 6,
      URL: "https://hooks.example.com/d",
    });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-docs-"));
    fs.writeFileSync(
      path.join(work, "state.json"),
      JSON.stringify({ version: 3, deployment: { resources: [] } }),
    );
  });
  afterAll(async () => {
    await emulator?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** A placeholder's stand-in: a time for `--since`, else a word. */
  const fill = (word: string, previous: string | undefined): string => {
    if (!/^<.*>$/.test(word)) return word.replace(/^["']|["']$/g, "");
    return previous === "--since" ? new Date(Date.now() - 3_600_000).toISOString() : "x";
  };

  const commands = BY_TOOL("nexudus-webhooks");
  it.each(commands.map((c) => [`${c.file}: ${c.line}`, c.words] as const))(
    "%s",
    async (_where, words) => {
      const argv = words.slice(1).map((w, i, all) => fill(w, all[i - 1]));
      let stderr = "";
      const code = await run(argv, {
        stdout: { write: () => undefined },
        stderr: { write: (s: string) => (stderr += s) },
        env: { NEXUDUS_BASE_URL: emulator.url, NEXUDUS_TOKEN: TOKEN, NEXUDUS_CALL_HISTORY: "off" },
        isTTY: false,
        cwd: work,
      });
      expect({ code, stderr: code === EXIT.usage ? stderr : "" }).not.toEqual(
        expect.objectContaining({ code: EXIT.usage }),
      );
      expect([EXIT.ok, EXIT.flagged]).toContain(code);
    },
  );
});

describe("pulumi commands of the docs exist in the real CLI, with their flags", () => {
  const pulumi = findPulumi();
  const help = new Map<string, { code: number | null; text: string }>();
  const helpOf = (sub: string[]) => {
    const key = sub.join(" ");
    let h = help.get(key);
    if (!h) {
      const r = spawnSync(pulumi.bin, [...sub, "--help"], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      });
      h = { code: r.status, text: `${r.stdout}${r.stderr}` };
      help.set(key, h);
    }
    return h;
  };
  const commands = BY_TOOL("pulumi");
  it.each(commands.map((c) => [`${c.file}: ${c.line}`, c.words] as const))(
    "%s",
    (_where, words) => {
      const sub: string[] = [];
      for (const w of words.slice(1)) {
        if (w.startsWith("-") || w.startsWith("<") || w.includes(":") || w.includes("/")) break;
        sub.push(w);
      }
      // The subcommand is the longest prefix the CLI knows (`config set`, `stack export`): its
      // help exits 0 and its usage line names it; the words after it are arguments.
      const known = (words: string[]) =>
        helpOf(words).code === 0 && helpOf(words).text.includes(`pulumi ${words.join(" ")} `);
      while (sub.length > 1 && !known(sub)) sub.pop();
      const h = helpOf(sub);
      expect(h.code).toBe(0);
      expect(h.text).toContain(`pulumi ${sub.join(" ")}`);
      for (const flag of words.filter((w) => /^--[a-z]/.test(w))) {
        expect(h.text).toContain(flag.replace(/=.*$/, ""));
      }
    },
  );
});
