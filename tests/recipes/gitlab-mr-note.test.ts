/**
 * examples/ci/scripts/gitlab-mr-note.mjs, run as the GitLab recipe runs it (a node process with
 * GitLab's predefined variables), against a small fake of GitLab's notes API on loopback: the
 * requests it sends (method, path, PRIVATE-TOKEN header, body) are asserted.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "../../examples/ci/scripts/gitlab-mr-note.mjs");
const TOKEN = "glpat-test-0123456789";

interface Seen {
  method: string;
  url: string;
  token: string | undefined;
  body: unknown;
}

/** A fake GitLab: GET notes answers `notes`; POST and PUT answer the note with an id. */
async function fakeGitlab(notes: { id: number; body: string }[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        token: req.headers["private-token"] as string | undefined,
        body: data ? JSON.parse(data) : undefined,
      });
      res.setHeader("content-type", "application/json");
      if (req.method === "GET") res.end(JSON.stringify(notes));
      else res.end(JSON.stringify({ id: req.method === "POST" ? 501 : 77 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { seen, url: `http://127.0.0.1:${port}/api/v4`, close: () => server.close() };
}

function runScript(env: Record<string, string>, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let preview: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mr-note-"));
  preview = path.join(dir, "preview.txt");
  fs.writeFileSync(
    preview,
    "\x1b[32m+ nexudus:WebHook bookings create\x1b[0m\nResources: 1 to create\n",
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function ciEnv(apiUrl: string): Record<string, string> {
  return {
    CI_API_V4_URL: apiUrl,
    CI_PROJECT_ID: "group/infra",
    CI_MERGE_REQUEST_IID: "12",
    CI_COMMIT_SHORT_SHA: "abc1234",
    CI_JOB_URL: "https://gitlab.example/job/9",
    PULUMI_STACK: "prod",
    GITLAB_API_TOKEN: TOKEN,
  };
}

test("posts a new note with the token header, the stack marker and the preview without ANSI codes", async () => {
  const gitlab = await fakeGitlab([{ id: 3, body: "an unrelated comment" }]);
  try {
    const r = await runScript(ciEnv(gitlab.url), [preview, "0"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("posted note 501");
    const notes = "/api/v4/projects/group%2Finfra/merge_requests/12/notes";
    expect(gitlab.seen.map((s) => `${s.method} ${s.url.split("?")[0]}`)).toEqual([
      `GET ${notes}`,
      `POST ${notes}`,
    ]);
    expect(gitlab.seen.every((s) => s.token === TOKEN)).toBe(true);
    const body = (gitlab.seen[1]!.body as { body: string }).body;
    expect(body.startsWith("<!-- pulumi-preview:prod -->\n")).toBe(true);
    expect(body).toContain("succeeded");
    expect(body).toContain("+ nexudus:WebHook bookings create");
    expect(body).not.toContain("\x1b[");
  } finally {
    gitlab.close();
  }
});

test("updates its own earlier note for the stack in place (PUT), and says a failed preview failed", async () => {
  const gitlab = await fakeGitlab([
    { id: 76, body: "<!-- pulumi-preview:staging -->\nold" },
    { id: 77, body: "<!-- pulumi-preview:prod -->\nold" },
  ]);
  try {
    const r = await runScript(ciEnv(gitlab.url), [preview, "255"]);
    expect(r.code).toBe(0);
    expect(gitlab.seen.map((s) => s.method)).toEqual(["GET", "PUT"]);
    expect(gitlab.seen[1]!.url).toBe("/api/v4/projects/group%2Finfra/merge_requests/12/notes/77");
    expect(gitlab.seen[1]!.token).toBe(TOKEN);
    expect((gitlab.seen[1]!.body as { body: string }).body).toContain(
      "**failed** (exit status 255)",
    );
  } finally {
    gitlab.close();
  }
});

test("without GITLAB_API_TOKEN it sends nothing and only warns (the preview's result stands)", async () => {
  const gitlab = await fakeGitlab([]);
  try {
    const env = ciEnv(gitlab.url);
    delete (env as Partial<typeof env>).GITLAB_API_TOKEN;
    const r = await runScript(env, [preview, "0"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("GITLAB_API_TOKEN is not set");
    expect(gitlab.seen).toEqual([]);
  } finally {
    gitlab.close();
  }
});
