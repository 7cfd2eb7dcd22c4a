/**
 * Credentials, roles and the OAuth2 token endpoint of the emulator.
 */
import { DEFAULT_ADMIN, startEmulator, type EmulatorHandle, type Role } from "../../emulator";
import { ADMIN_AUTH, basic, call, createWebhook, form, sleep, webhookBody } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.clearRequests();
});

const ALL: Role[] = [
  "WebHook-List",
  "WebHook-Read",
  "WebHook-Create",
  "WebHook-Edit",
  "WebHook-Delete",
];

interface RouteCase {
  route: string;
  role: Role;
  run: (auth: string, id: number) => Promise<{ status: number; json: unknown }>;
}

const routes: RouteCase[] = [
  {
    route: "search",
    role: "WebHook-List",
    run: (auth) => call(emu, "GET", "/api/sys/webhooks", { auth }),
  },
  {
    route: "get",
    role: "WebHook-Read",
    run: (auth, id) => call(emu, "GET", `/api/sys/webhooks/${id}`, { auth }),
  },
  {
    route: "create",
    role: "WebHook-Create",
    run: (auth) => call(emu, "POST", "/api/sys/webhooks", { auth, body: webhookBody() }),
  },
  {
    route: "update",
    role: "WebHook-Edit",
    run: (auth, id) =>
      call(emu, "PUT", "/api/sys/webhooks", {
        auth,
        body: webhookBody({ Id: id, Name: "edited" }),
      }),
  },
  {
    route: "delete",
    role: "WebHook-Delete",
    run: (auth, id) => call(emu, "DELETE", `/api/sys/webhooks/${id}`, { auth }),
  },
];

describe("roles", () => {
  it.each(routes)(
    "$route answers 401 naming $role to a user without it, and writes nothing",
    async (c) => {
      const username = `no-${c.role.toLowerCase()}@example.com`;
      emu.addUser({ username, password: "pw", roles: ALL.filter((r) => r !== c.role) });
      const id = await createWebhook(emu);
      const before = emu.records();
      const r = await c.run(basic(username, "pw"), id);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({
        Message: `You do not have permission: ${c.role} role required`,
        WasSuccessful: false,
      });
      expect(emu.records()).toEqual(before);
      expect(emu.requests().at(-1)).toMatchObject({
        route: c.route,
        status: 401,
        client: username,
      });
    },
  );

  it.each(routes)("$route works for a user holding only $role", async (c) => {
    const username = `only-${c.role.toLowerCase()}@example.com`;
    emu.addUser({ username, password: "pw", roles: [c.role] });
    const id = await createWebhook(emu);
    const r = await c.run(basic(username, "pw"), id);
    expect(r.status).toBe(200);
  });

  it("gives an Administrator every route", async () => {
    emu.addUser({ username: "boss@example.com", password: "pw", roles: ["Administrator"] });
    for (const c of routes) {
      const id = await createWebhook(emu);
      expect((await c.run(basic("boss@example.com", "pw"), id)).status).toBe(200);
    }
  });

  it("records who updated a record", async () => {
    emu.addUser({ username: "ed@example.com", password: "pw", roles: ["WebHook-Edit"] });
    const id = await createWebhook(emu);
    await call(emu, "PUT", "/api/sys/webhooks", {
      auth: basic("ed@example.com", "pw"),
      body: webhookBody({ Id: id }),
    });
    expect(emu.record(id)?.UpdatedBy).toBe("ed@example.com");
  });
});

describe("credentials", () => {
  it.each([
    ["no Authorization header", null],
    ["an unknown bearer token", "Bearer not-a-token"],
    ["Basic with a wrong password", basic(DEFAULT_ADMIN.username, "wrong")],
    ["Basic with an unknown user", basic("nobody@example.com", "admin-password")],
    ["Basic with garbage", "Basic !!!"],
    ["an unknown scheme", "Digest abc"],
    ["a bare token", "emulator-admin-token"],
  ])("answers 401 for %s", async (_label, auth) => {
    const r = await call(emu, "GET", "/api/sys/webhooks", { auth });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ WasSuccessful: false, Message: expect.any(String) });
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(emu.requests()).toEqual([
      expect.objectContaining({ route: "search", status: 401, client: "anonymous" }),
    ]);
  });

  it("accepts Basic auth with email:password", async () => {
    const r = await call(emu, "GET", "/api/sys/webhooks", {
      auth: basic(DEFAULT_ADMIN.username, DEFAULT_ADMIN.password),
    });
    expect(r.status).toBe(200);
    expect(emu.requests()[0]).toMatchObject({ client: "admin@example.com" });
  });

  it("accepts the default admin's API token, with any letter case of the scheme", async () => {
    expect((await call(emu, "GET", "/api/sys/webhooks", { auth: ADMIN_AUTH })).status).toBe(200);
    expect(
      (await call(emu, "GET", "/api/sys/webhooks", { auth: "bearer emulator-admin-token" })).status,
    ).toBe(200);
  });

  it("checks credentials before anything else: a 401 create writes nothing", async () => {
    const before = emu.records().length;
    const r = await call(emu, "POST", "/api/sys/webhooks", { auth: null, body: webhookBody() });
    expect(r.status).toBe(401);
    expect(emu.records()).toHaveLength(before);
  });
});

describe("POST /api/token", () => {
  async function passwordGrant(password = DEFAULT_ADMIN.password) {
    return call(
      emu,
      "POST",
      "/api/token",
      form({ grant_type: "password", username: DEFAULT_ADMIN.username, password }),
    );
  }

  it("issues a bearer token for the password grant", async () => {
    const r = await passwordGrant();
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 604800,
      refresh_token: expect.any(String),
    });
    const { access_token } = r.json as { access_token: string };
    const s = await call(emu, "GET", "/api/sys/webhooks", { auth: `Bearer ${access_token}` });
    expect(s.status).toBe(200);
    expect(emu.requests().map((e) => [e.route, e.status, e.client])).toEqual([
      ["token", 200, "admin@example.com"],
      ["search", 200, "admin@example.com"],
    ]);
  });

  it("answers invalid_grant for a wrong password", async () => {
    const r = await passwordGrant("nope");
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error: "invalid_grant",
      error_description: "The user name or password is incorrect.",
    });
    expect(emu.requests()[0]).toMatchObject({ route: "token", status: 400, client: "anonymous" });
  });

  it("rejects a JSON body with unsupported_grant_type", async () => {
    const r = await call(emu, "POST", "/api/token", {
      auth: null,
      body: {
        grant_type: "password",
        username: DEFAULT_ADMIN.username,
        password: DEFAULT_ADMIN.password,
      },
    });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: "unsupported_grant_type" });
  });

  it("rejects an unknown grant type", async () => {
    const r = await call(emu, "POST", "/api/token", form({ grant_type: "client_credentials" }));
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: "unsupported_grant_type" });
  });

  it("refreshes with the refresh_token grant, which rotates the refresh token", async () => {
    const first = (await passwordGrant()).json as { access_token: string; refresh_token: string };
    const r = await call(
      emu,
      "POST",
      "/api/token",
      form({ grant_type: "refresh_token", refresh_token: first.refresh_token }),
    );
    expect(r.status).toBe(200);
    const second = r.json as { access_token: string; refresh_token: string };
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(
      (await call(emu, "GET", "/api/sys/webhooks", { auth: `Bearer ${second.access_token}` }))
        .status,
    ).toBe(200);
    const reused = await call(
      emu,
      "POST",
      "/api/token",
      form({ grant_type: "refresh_token", refresh_token: first.refresh_token }),
    );
    expect(reused.status).toBe(400);
    expect(reused.json).toMatchObject({ error: "invalid_grant" });
  });

  it("expireTokens invalidates issued tokens but not API tokens", async () => {
    const t = (await passwordGrant()).json as { access_token: string; refresh_token: string };
    emu.expireTokens();
    expect(
      (await call(emu, "GET", "/api/sys/webhooks", { auth: `Bearer ${t.access_token}` })).status,
    ).toBe(401);
    expect((await call(emu, "GET", "/api/sys/webhooks", { auth: ADMIN_AUTH })).status).toBe(200);
    const refresh = await call(
      emu,
      "POST",
      "/api/token",
      form({ grant_type: "refresh_token", refresh_token: t.refresh_token }),
    );
    expect(refresh.status).toBe(400);
    expect(refresh.json).toMatchObject({ error: "invalid_grant" });
  });

  it("expireTokens({ keepRefreshTokens: true }) leaves the refresh grant working", async () => {
    const t = (await passwordGrant()).json as { access_token: string; refresh_token: string };
    emu.expireTokens({ keepRefreshTokens: true });
    expect(
      (await call(emu, "GET", "/api/sys/webhooks", { auth: `Bearer ${t.access_token}` })).status,
    ).toBe(401);
    const refresh = await call(
      emu,
      "POST",
      "/api/token",
      form({ grant_type: "refresh_token", refresh_token: t.refresh_token }),
    );
    expect(refresh.status).toBe(200);
  });

  it("POST /__emulator/expire-tokens does the same", async () => {
    const t = (await passwordGrant()).json as { access_token: string };
    const admin = await fetch(`${emu.url}/__emulator/expire-tokens`, { method: "POST" });
    expect(admin.status).toBe(200);
    expect(
      (await call(emu, "GET", "/api/sys/webhooks", { auth: `Bearer ${t.access_token}` })).status,
    ).toBe(401);
    expect(emu.requests().map((e) => e.route)).toEqual(["token", "search"]);
  });
});

describe("token lifetime", () => {
  it("rejects a token after tokenTtlSeconds with 401 invalid_token", async () => {
    const short = await startEmulator({ tokenTtlSeconds: 0.2 });
    try {
      const r = await call(
        short,
        "POST",
        "/api/token",
        form({
          grant_type: "password",
          username: DEFAULT_ADMIN.username,
          password: DEFAULT_ADMIN.password,
        }),
      );
      const { access_token, expires_in } = r.json as { access_token: string; expires_in: number };
      expect(expires_in).toBe(0.2);
      const auth = `Bearer ${access_token}`;
      expect((await call(short, "GET", "/api/sys/webhooks", { auth })).status).toBe(200);
      await sleep(300);
      const expired = await call(short, "GET", "/api/sys/webhooks", { auth });
      expect(expired.status).toBe(401);
      expect(expired.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
      expect(expired.json).toMatchObject({ Message: "The access token has expired." });
    } finally {
      await short.stop();
    }
  });
});
