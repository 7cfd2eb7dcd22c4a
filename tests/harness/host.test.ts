/**
 * Proves the harness: a fixture dynamic provider, captured under setMocks, driven through the
 * REAL dynamic-provider host over gRPC, directly and through the in-memory engine.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  captureProvider,
  captureResources,
  serializeProvider,
  withInputs,
  type CapturedResource,
} from "../../testing/capture";
import { DeploymentError, Engine } from "../../testing/engine";
import { HostCallError, startHost, UNKNOWN, type Host } from "../../testing/host";
import { recordFigures } from "../../testing/figures";
import { FileRecord, providerVersion, readOps } from "../fixtures/file-record";

const TOKEN = "s3cret-token-value";

let root: string;
let configDir: string;
let host: Host;
/** a (secret input, additionalSecretOutputs), b (depends on a), c; provider v1. */
let v1: CapturedResource[];
/** The same `a`, provider v2. */
let v2a: CapturedResource;
/** A preview capture: b's content is a's id, unknown in preview. */
let previewB: CapturedResource;

function rec(list: CapturedResource[], name: string): CapturedResource {
  const r = list.find((x) => x.name === name);
  if (!r) throw new Error(`no captured resource ${name}`);
  return r;
}
function freshDir(name: string): string {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}
/** The fixture's resources, all pointed at `dir`. */
function inDir(list: CapturedResource[], dir: string): CapturedResource[] {
  return list.map((r) => withInputs(r, { dir }));
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "harness-"));
  configDir = freshDir("config");
  const program = (version: string) => () => {
    const a = new FileRecord(
      "a",
      { dir: "/placeholder", content: "alpha", secretValue: pulumi.secret("hidden") },
      { additionalSecretOutputs: ["path"] },
      version,
    );
    if (version !== "v1") return;
    new FileRecord("b", { dir: "/placeholder", content: a.id }, { dependsOn: [a] }, version);
    new FileRecord("c", { dir: "/placeholder", content: "gamma" }, undefined, version);
  };
  v1 = await captureResources(program("v1"), { config: { "project:greeting": "hello" } });
  v2a = rec(await captureResources(program("v2")), "a");
  previewB = rec(await captureResources(program("v1"), { preview: true }), "b");

  host = await startHost();
  const cfg = await host.configure({
    "fixture:token": { secret: TOKEN },
    "fixture:dir": configDir,
    "project:greeting": "hello",
  });
  expect(cfg.acceptSecrets).toBe(false);
});

afterAll(async () => {
  await host?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("captureResources", () => {
  test("records type, urn, inputs with __provider, secrets and options", async () => {
    const a = rec(v1, "a");
    expect(a.type).toBe("pulumi-nodejs:dynamic/fixture:FileRecord");
    expect(a.urn).toBe("urn:pulumi:stack::project::pulumi-nodejs:dynamic/fixture:FileRecord::a");
    expect(a.custom).toBe(true);
    expect(typeof a.inputs.__provider).toBe("string");
    expect(a.inputs.__provider).toContain("exports.handler");
    expect(a.inputs.secretValue).toBe("hidden");
    expect(a.secretInputs).toEqual(["secretValue"]);
    expect(a.rawInputs.secretValue).toMatchObject({ value: "hidden" });
    expect(a.additionalSecretOutputs).toEqual(["path"]);
    expect(rec(v1, "b").dependencies).toEqual([a.urn]);
    expect(rec(v1, "b").inputs.content).toBe("a-id"); // the mock id
    expect(v2a.inputs.__provider).not.toBe(a.inputs.__provider);
    expect(previewB.inputs.content).toBe(UNKNOWN);
    const p = await captureProvider(() => {
      new FileRecord("x", { dir: "/d", content: "x" });
    });
    expect(p).toBe(a.inputs.__provider); // cached: one provider object, one string
  });

  test("serializeProvider gives the same string, and rejects what cannot be serialized", async () => {
    expect(await serializeProvider(providerVersion("v1"))).toBe(rec(v1, "a").inputs.__provider);
    const bad = { create: async () => ({ id: "x" }), native: Math.max.bind(null) };
    await expect(serializeProvider(bad)).rejects.toThrow(/native code function/);
  });
});

describe("host", () => {
  test("check -> diff -> create -> read -> update -> delete through the real host", async () => {
    const dir = freshDir("crud");
    const a = withInputs(rec(v1, "a"), { dir });
    const checked = await host.check(a.urn, {}, a.inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ dir, content: "alpha", slot: "a" });
    expect(checked.inputs.__provider).toBe(a.inputs.__provider);

    const created = await host.create(a.urn, checked.inputs);
    expect(created.id).toMatch(/^rec-/);
    expect(created.properties).toMatchObject({ content: "alpha", revision: 1, createdBy: "v1" });
    expect(created.properties.__provider).toBe(a.inputs.__provider);
    const file = path.join(dir, `${created.id}.json`);
    expect(fs.existsSync(file)).toBe(true);

    const read = await host.read(created.id, a.urn, created.properties, checked.inputs);
    expect(read.id).toBe(created.id);
    expect(read.inputs).toMatchObject({ dir, content: "alpha" });
    expect(read.inputs?.__provider).toBe(a.inputs.__provider);

    const same = await host.diff(created.id, a.urn, created.properties, checked.inputs);
    expect(same).toMatchObject({ changes: "NONE", replaces: [] });
    const news = { ...checked.inputs, content: "beta" };
    const changed = await host.diff(created.id, a.urn, created.properties, news);
    expect(changed).toMatchObject({ changes: "SOME", replaces: [], deleteBeforeReplace: false });
    const slot = await host.diff(created.id, a.urn, created.properties, {
      ...news,
      slot: "b",
      deleteBeforeReplace: true,
    });
    expect(slot).toMatchObject({ changes: "SOME", replaces: ["slot"], deleteBeforeReplace: true });

    const updated = await host.update(created.id, a.urn, created.properties, news);
    expect(updated.properties).toMatchObject({ content: "beta", revision: 2 });
    expect(JSON.parse(fs.readFileSync(file, "utf8")).content).toBe("beta");

    await host.delete(created.id, a.urn, updated.properties);
    expect(fs.existsSync(file)).toBe(false);
    const gone = await host.read(created.id, a.urn, updated.properties);
    expect(gone.id).toBe("");

    expect(readOps(dir).map((o) => o.op)).toEqual([
      "check",
      "create",
      "read",
      "diff",
      "diff",
      "diff",
      "update",
      "delete",
      "read",
    ]);
    expect(new Set(readOps(dir).map((o) => o.pid))).toEqual(new Set([host.pid]));
  });

  test("secret config arrives decrypted in configure, once per provider", () => {
    const configures = readOps(configDir).filter((o) => o.op === "configure");
    expect(configures).toHaveLength(1);
    expect(configures[0]?.config).toEqual({ token: TOKEN, dir: configDir, greeting: "hello" });
    expect(host.stdout().trim()).toBe(String(host.port)); // nothing but the port line
    expect(host.stdout() + host.stderr()).not.toContain(TOKEN);
  });

  test("an error with id + properties is decoded as a partial create", async () => {
    const dir = freshDir("partial");
    const a = withInputs(rec(v1, "a"), { dir, fail: "createPartial" });
    const { inputs } = await host.check(a.urn, {}, a.inputs);
    const err = await host.create(a.urn, inputs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostCallError);
    const e = err as HostCallError;
    expect(e.code).toBe(2);
    expect(e.details).toBe("created but not ready");
    expect(e.id).toMatch(/^rec-/);
    expect(e.properties).toMatchObject({ content: "alpha", revision: 1 });
    expect(e.reasons).toEqual(["record is not ready"]);
    expect(fs.existsSync(path.join(dir, `${e.id}.json`))).toBe(true);

    const plain = (await host
      .create(a.urn, { ...inputs, fail: "create" })
      .catch((x: unknown) => x)) as HostCallError;
    expect(plain).toBeInstanceOf(HostCallError);
    expect(plain.details).toBe("create failed on purpose");
    expect(plain.initFailed).toBeUndefined();
  });

  test("check lets unknown values through (preview) and reports failures", async () => {
    const b = withInputs(previewB, { dir: freshDir("preview") });
    const checked = await host.check(b.urn, {}, b.inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.content).toBe(UNKNOWN);
    const diff = await host.diff("rec-1", b.urn, { ...b.inputs, content: "old" }, checked.inputs);
    expect(diff.changes).toBe("SOME");

    const bad = await host.check(b.urn, {}, { ...b.inputs, content: 42 });
    expect(bad.failures).toEqual([{ property: "content", reason: "content must be a string" }]);
  });

  test("runs from an installed project folder (cwd with its own node_modules)", async () => {
    const project = freshDir("project");
    fs.mkdirSync(path.join(project, "node_modules"));
    fs.symlinkSync(
      path.resolve(__dirname, "..", "..", "node_modules", "@pulumi"),
      path.join(project, "node_modules", "@pulumi"),
      "dir",
    );
    const other = await startHost({ cwd: project, stack: "dev" });
    try {
      expect(other.script.startsWith(project)).toBe(true);
      expect((await other.getPluginInfo()).version).toMatch(/^3\./);
      await other.configure();
      const a = withInputs(rec(v1, "a"), { dir: project });
      expect((await other.check(a.urn, {}, a.inputs)).failures).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});

describe("engine", () => {
  test("preview / up / refresh / destroy", async () => {
    const dir = freshDir("engine");
    const engine = new Engine(host);
    const all = inDir(v1, dir);
    const [a0, b0, c0] = [rec(all, "a"), rec(all, "b"), rec(all, "c")];
    // b's content is a's REAL id, wired once a exists.
    const b = { ...b0, inputs: () => ({ ...b0.inputs, content: engine.state.get(a0.urn)?.id }) };
    const desired = [a0, b, c0];

    const plan = await engine.preview([a0, c0]);
    expect(plan.summary).toEqual({ create: 2 });
    expect(engine.state.size).toBe(0);

    const up = await engine.up(desired);
    expect(up.summary).toEqual({ create: 3 });
    const a = engine.find("a");
    expect(a?.outputs).toMatchObject({ content: "alpha", revision: 1 });
    expect(a?.inputs.__provider).toBe(a0.inputs.__provider);
    expect(a?.outputs.__provider).toBe(a0.inputs.__provider);
    expect(a?.secretOutputs.sort()).toEqual(["path", "secretValue"]);
    expect(engine.find("b")?.outputs.content).toBe(a?.id);
    const ops = readOps(dir).filter((o) => o.op === "create");
    expect(ops.findIndex((o) => o.id === a?.id)).toBeLessThan(
      ops.findIndex((o) => o.id === engine.find("b")?.id),
    );

    expect((await engine.preview(desired)).summary).toEqual({ same: 3 });

    // Edit c (update), move a to another slot (replace, create-before-delete), drop b.
    const c1 = withInputs(c0, { content: "gamma2" });
    const a1 = withInputs(a0, { slot: "z" });
    const plan2 = await engine.preview([a1, c1]);
    expect(plan2.steps.map((s) => `${s.op}:${s.urn.split("::")[3]}`).sort()).toEqual([
      "delete:b",
      "replace:a",
      "update:c",
    ]);
    const oldA = a?.id;
    const up2 = await engine.up([a1, c1]);
    expect(up2.summary).toEqual({ replace: 1, update: 1, delete: 2 });
    const newA = engine.find("a");
    expect(newA?.id).not.toBe(oldA);
    const order = readOps(dir).map((o) => `${o.op}:${o.id}`);
    expect(order.indexOf(`create:${newA?.id}`)).toBeLessThan(order.indexOf(`delete:${oldA}`));
    expect(engine.find("c")?.outputs).toMatchObject({ content: "gamma2", revision: 2 });
    expect(engine.find("b")).toBeUndefined();

    // Drift: c's file edited out of band, a's file deleted.
    const cId = engine.find("c")?.id;
    fs.writeFileSync(
      path.join(dir, `${cId}.json`),
      JSON.stringify({ content: "drifted", revision: 9 }),
    );
    fs.rmSync(path.join(dir, `${newA?.id}.json`));
    const refreshed = await engine.refresh();
    expect(refreshed.steps.find((s) => s.id === newA?.id)?.gone).toBe(true);
    expect(engine.find("a")).toBeUndefined();
    expect(engine.find("c")?.inputs).toMatchObject({ content: "drifted" });
    expect(engine.find("c")?.inputs.__provider).toBe(c0.inputs.__provider);
    const plan3 = await engine.preview([a1, c1]);
    expect(plan3.summary).toEqual({ create: 1, update: 1 });

    const destroyed = await engine.destroy();
    expect(destroyed.summary).toEqual({ delete: 1 });
    expect(engine.state.size).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("rec-"))).toEqual([]);
  });

  test("delete runs the OLD __provider stored in outputs", async () => {
    const dir = freshDir("versions");
    const engine = new Engine(host);
    const a1 = withInputs(rec(v1, "a"), { dir });
    const a2 = withInputs(v2a, { dir });
    await engine.up([a1]);
    const same = await engine.up([a2]); // same inputs, new code: a "same" step
    expect(same.summary).toEqual({ same: 1 });
    expect(engine.find("a")?.inputs.__provider).toBe(a2.inputs.__provider);
    expect(engine.find("a")?.outputs.__provider).toBe(a1.inputs.__provider);
    await engine.destroy();
    const del = readOps(dir).find((o) => o.op === "delete");
    expect(del?.version).toBe("v1");
  });

  test("a half-created resource is recorded in state, then updated by the next up", async () => {
    const dir = freshDir("half");
    const engine = new Engine(host);
    const a = withInputs(rec(v1, "a"), { dir, fail: "createPartial" });
    const err = await engine.up([a]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeploymentError);
    const entry = engine.find("a");
    expect(entry?.id).toMatch(/^rec-/);
    expect(entry?.initErrors).toEqual(["record is not ready"]);
    expect(entry?.outputs.content).toBe("alpha");

    // Same inputs: Diff says NONE, but init errors force an update.
    const again = await engine.up([a]);
    expect(again.summary).toEqual({ update: 1 });
    expect(engine.find("a")?.initErrors).toBeUndefined();
    expect(engine.find("a")?.id).toBe(entry?.id);

    // Without __provider in the error's properties, state cannot be deleted later.
    const b = withInputs(rec(v1, "c"), { dir, fail: "createPartialNoProvider" });
    const r = await engine.up([a, b], { throwOnError: false });
    expect(r.errors).toHaveLength(1);
    expect(engine.find("c")?.outputs.__provider).toBeUndefined();
    const d = await engine.destroy({ throwOnError: false, continueOnError: true });
    expect(d.errors.map((s) => s.urn.split("::")[3])).toEqual(["c"]);
    expect(engine.find("c")).toBeDefined();
  });

  test("up runs independent resources concurrently (parallel)", async () => {
    const dir = freshDir("parallel");
    const base = withInputs(rec(v1, "c"), { dir, delayMs: 250 });
    const many = Array.from({ length: 12 }, (_, i) => withInputs(base, {}, `r${i}`));
    const engine = new Engine(host, { parallel: 10 });
    const up = await engine.up(many);
    expect(up.summary).toEqual({ create: 12 });
    const maxInflight = Math.max(...readOps(dir).map((o) => o.inflight ?? 0));
    expect(maxInflight).toBeGreaterThanOrEqual(5);
    expect(maxInflight).toBeLessThanOrEqual(10);
    const destroy = await engine.destroy({ parallel: 4 });
    expect(destroy.summary).toEqual({ delete: 12 });
    recordFigures("harness: 12 records with 250 ms provider latency", {
      "up, parallel 10 (ms)": up.durationMs,
      "destroy, parallel 4 (ms)": destroy.durationMs,
      "max creates in flight": maxInflight,
    });
  });
});
