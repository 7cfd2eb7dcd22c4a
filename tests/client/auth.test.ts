/**
 * Credentials: the password grant (form-encoded), the account's token cache (its ClientShare)
 * shared by the account's clients and concurrent callers, one renewal on a 401, and that no secret ever leaks into an error, its
 * stack, its JSON or an `onRequest` event.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorHandle } from "../../emulator";
import {
  ClientShare,
  NexudusClient,
  type NexudusClientOptions,
  type RequestEvent,
} from "../../client/client";
import { NexudusAuthError, NexudusServerError } from "../../client/errors";
import { thrownBy } from "../../testing/thrown";
import {
  ADMIN,
  READER,
  SECRETS,
  body,
  expectNoSecrets,
  logged,
  passwordClient as newPasswordClient,
  rejection,
  startTestEmulator,
  tokenClient,
} from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.stop());
/** The tokens of this test's account: the clients of one test share them, as one account's do. */
let share = new ClientShare();
const passwordClient = (e: EmulatorHandle, opts: NexudusClientOptions = {}): NexudusClient =>
  newPasswordClient(e, opts, share);

beforeEach(() => {
  share = new ClientShare();
  emu.clearFaults();
  emu.clearRequests();
});

/** The access and refresh tokens the clients hold (read from their account's share). */
function heldTokens(): string[] {
  const out: string[] = [];
  for (const entry of share.tokens.values()) {
    for (const t of [entry.accessToken, entry.refreshToken]) if (typeof t === "string") out.push(t);
  }
  return out;
}

describe("token exchange", () => {
  it("posts a form-encoded password grant and sends the token as a bearer", async () => {
    const seen: { url?: string; type?: string; body: string; auth?: string }[] = [];
    const server = http.createServer((req, res) => {
      let text = "";
      req.on("data", (c: Buffer) => (text += c.toString()));
      req.on("end", () => {
        seen.push({
          ...(req.url ? { url: req.url } : {}),
          ...(req.headers["content-type"] ? { type: req.headers["content-type"] } : {}),
          body: text,
          ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
        });
        res.setHeader("Content-Type", "application/json");
        if (req.url === "/api/token") {
          res.end(
            JSON.stringify({
              access_token: "acc-S3CRET-1",
              token_type: "bearer",
              expires_in: 604800,
              refresh_token: "ref-S3CRET-1",
            }),
          );
        } else {
          res.end(
            JSON.stringify({
              Records: [],
              CurrentPage: 1,
              TotalItems: 0,
              TotalPages: 0,
              HasNextPage: false,
            }),
          );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const c = new NexudusClient({
        baseUrl: `http://127.0.0.1:${port}`,
        username: "a+b@example.com",
        password: "p&ss=w rd-S3CRET",
        rateLimit: false,
      });
      await c.searchPage({});
      expect(seen[0]).toEqual({
        url: "/api/token",
        type: "application/x-www-form-urlencoded",
        body: "grant_type=password&username=a%2Bb%40example.com&password=p%26ss%3Dw+rd-S3CRET",
      });
      expect(seen[1]).toMatchObject({ url: "/api/sys/webhooks", auth: "Bearer acc-S3CRET-1" });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("exchanges once for many calls and for two clients with the same user", async () => {
    const a = passwordClient(emu);
    const b = passwordClient(emu);
    const id = emu.insert(body("cached")).Id;
    for (let i = 0; i < 4; i++) await a.get(id);
    await b.searchPage({});
    await b.exchangeToken();
    expect(logged(emu, "token")).toHaveLength(1);
    expect(logged(emu, "get")).toHaveLength(4);
  });

  it("concurrent first calls share one in-flight exchange", async () => {
    const clients = [passwordClient(emu), passwordClient(emu)];
    await Promise.all(Array.from({ length: 12 }, (_, i) => clients[i % 2]!.searchPage({})));
    expect(logged(emu, "token")).toHaveLength(1);
    expect(logged(emu, "search")).toHaveLength(12);
  });

  it("a wrong password is a NexudusAuthError from the exchange, not retried, not shown", async () => {
    const c = passwordClient(emu, { password: "wrong-S3CRET-pw-5512" });
    const e = await rejection(c.get(1));
    expect(e).toBeInstanceOf(NexudusAuthError);
    expect(e.message).toContain("POST /api/token was refused (400)");
    expect(e.message).toContain("the username or password is wrong");
    expect(logged(emu, "token")).toHaveLength(1);
    expect(logged(emu, "get")).toHaveLength(0);
    expectNoSecrets(e, ["wrong-S3CRET-pw-5512", ...SECRETS]);
  });

  it("retries the exchange (idempotent) after a 5xx", async () => {
    emu.injectFault({ route: "token", kind: "status", status: 503 });
    await passwordClient(emu).searchPage({});
    expect(logged(emu, "token").map((r) => r.status)).toEqual([503, 200]);
  });
});

describe("renewal after a 401", () => {
  it("renews with the refresh token once and repeats the call", async () => {
    const c = passwordClient(emu);
    await c.searchPage({});
    emu.expireTokens({ keepRefreshTokens: true });
    emu.clearRequests();
    await c.searchPage({});
    expect(emu.requests().map((r) => `${r.route} ${r.status}`)).toEqual([
      "search 401",
      "token 200",
      "search 200",
    ]);
  });

  it("falls back to the password grant when the refresh token is refused too", async () => {
    const c = passwordClient(emu);
    await c.searchPage({});
    emu.expireTokens();
    emu.clearRequests();
    await c.searchPage({});
    expect(emu.requests().map((r) => `${r.route} ${r.status}`)).toEqual([
      "search 401",
      "token 400",
      "token 200",
      "search 200",
    ]);
  });

  it("many callers hitting 401 together share one renewal", async () => {
    const c = passwordClient(emu);
    await c.searchPage({});
    emu.expireTokens({ keepRefreshTokens: true });
    emu.clearRequests();
    await Promise.all(Array.from({ length: 8 }, () => c.searchPage({})));
    expect(logged(emu, "token")).toHaveLength(1);
    expect(logged(emu, "search").filter((r) => r.status === 200)).toHaveLength(8);
  });

  it("a second 401 surfaces as NexudusAuthError naming the role", async () => {
    const reader = passwordClient(emu, { username: READER.username, password: READER.password });
    const e = await rejection(reader.create(body("no-role")));
    expect(e).toBeInstanceOf(NexudusAuthError);
    expect((e as NexudusAuthError).requiredRole).toBe("WebHook-Create");
    expect(emu.requests().map((r) => `${r.route} ${r.status}`)).toEqual([
      "token 200",
      "create 401",
      "token 200",
      "create 401",
    ]);
  });

  it("a static token is never renewed", async () => {
    emu.addUser({
      username: "static@example.com",
      password: "x-static-pw",
      roles: ["Administrator"],
    });
    const c = tokenClient(emu, { token: "static-S3CRET-never-valid" });
    await expect(c.searchPage({})).rejects.toBeInstanceOf(NexudusAuthError);
    expect(emu.requests().map((r) => r.route)).toEqual(["search"]);
  });
});

describe("no secret leaks", () => {
  it("errors and onRequest events never contain a token or password", async () => {
    const events: RequestEvent[] = [];
    const onRequest = (e: RequestEvent) => events.push(e);
    const errors: unknown[] = [];
    const collect = async (p: Promise<unknown>) => errors.push(await rejection(p));

    const pw = passwordClient(emu, { maxRetries: 1, onRequest });
    const tok = tokenClient(emu, { maxRetries: 1, onRequest });
    const reader = passwordClient(emu, {
      username: READER.username,
      password: READER.password,
      onRequest,
    });
    const wrong = passwordClient(emu, { password: "wrong-S3CRET-pw-0042", onRequest });
    await pw.searchPage({});

    await collect(reader.create(body("leak-role")));
    await collect(wrong.get(1));
    await collect(pw.get(424242));
    await collect(pw.create({ ...body("leak-400"), Name: "" }));
    emu.injectFault({ route: "get", kind: "status", status: 500, times: Infinity });
    await collect(pw.get(1));
    await collect(tok.get(1));
    emu.clearFaults();
    emu.injectFault({ route: "*", kind: "reset", times: 2 });
    await collect(tok.get(1));
    emu.clearFaults();
    emu.injectFault({ route: "create", kind: "html" });
    await collect(pw.create(body("leak-html")));
    emu.injectFault({ route: "search", kind: "truncated" });
    await collect(tok.searchPage({}));
    emu.expireTokens();
    emu.injectFault({ route: "token", kind: "status", status: 500, times: Infinity });
    await collect(pw.searchPage({}));
    emu.clearFaults();

    expect(errors).toHaveLength(10);
    expect(errors.some((e) => e instanceof NexudusServerError)).toBe(true);
    const secrets = [...SECRETS, "wrong-S3CRET-pw-0042", ...heldTokens()];
    expect(heldTokens().length).toBeGreaterThanOrEqual(2);
    for (const e of errors) expectNoSecrets(e, secrets);
    expect(events.length).toBeGreaterThan(10);
    expectNoSecrets(JSON.stringify(events), secrets);
    expect(events.find((e) => e.route === "token")).toMatchObject({
      method: "POST",
      path: "/api/token",
    });
  });

  it("options and config errors never echo a credential", () => {
    expect(() => new NexudusClient({ token: ADMIN.apiToken, password: ADMIN.password })).toThrow();
    const error = thrownBy(
      () => new NexudusClient({ token: ADMIN.apiToken, username: "u", password: ADMIN.password }),
    );
    expectNoSecrets(error, SECRETS);
    expect(String(error)).toContain("not both");
  });
});
