/**
 * Helpers of the client tests: an emulator with distinctive credentials, clients on it, and a
 * check that no credential leaks into an error or an event.
 */
import { inspect } from "node:util";
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from "../../emulator";
import { NexudusClient, type ClientShare, type NexudusClientOptions } from "../../client/client";

/** The time factor of the tests: a documented minute lasts 1.2 s. */
export const TF = 0.02;

/** The test location. */
export const BUSINESS = 1234;
/** A second location. */
export const OTHER_BUSINESS = 5678;

/** A full administrator with distinctive secrets (asserted absent from every error). */
export const ADMIN = {
  username: "ops-admin@example.com",
  password: "pw-S3CRET-admin-7Qx91",
  apiToken: "tok-S3CRET-admin-44Zk2",
};

/** A user who may list and read but not create, edit or delete. */
export const READER = {
  username: "reader@example.com",
  password: "pw-S3CRET-reader-3Hd80",
  apiToken: "tok-S3CRET-reader-91Pq7",
};

/** Every secret string the tests use. */
export const SECRETS = [ADMIN.password, ADMIN.apiToken, READER.password, READER.apiToken];

/** Starts an emulator with the test users and two locations. */
export function startTestEmulator(opts: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({
    port: 0,
    locations: [
      { id: BUSINESS, name: "HQ" },
      { id: OTHER_BUSINESS, name: "Annex" },
    ],
    users: [
      {
        username: ADMIN.username,
        password: ADMIN.password,
        roles: ["Administrator"],
        apiTokens: [ADMIN.apiToken],
      },
      {
        username: READER.username,
        password: READER.password,
        roles: ["WebHook-List", "WebHook-Read"],
        apiTokens: [READER.apiToken],
      },
    ],
    ...opts,
  });
}

/** A client of the emulator with the admin's static token, no client-side limiter. */
export function tokenClient(
  emu: EmulatorHandle,
  opts: NexudusClientOptions = {},
  share?: ClientShare,
): NexudusClient {
  return new NexudusClient(
    { baseUrl: emu.url, token: ADMIN.apiToken, timeFactor: TF, rateLimit: false, ...opts },
    share,
  );
}

/** A client of the emulator with the admin's username and password. */
export function passwordClient(
  emu: EmulatorHandle,
  opts: NexudusClientOptions = {},
  share?: ClientShare,
): NexudusClient {
  return new NexudusClient(
    {
      baseUrl: emu.url,
      username: ADMIN.username,
      password: ADMIN.password,
      timeFactor: TF,
      rateLimit: false,
      ...opts,
    },
    share,
  );
}

/** A valid create body. */
export function body(name = "hook", action = 6) {
  return { BusinessId: BUSINESS, Name: name, Action: action, URL: `https://example.com/${name}` };
}

/** Resolves with the rejection of `p` (fails the test when `p` resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Every textual view of an error: message, toString, stack, JSON, inspect (all own props). */
export function views(e: unknown): string {
  const err = e as Error;
  return [
    err.message,
    String(err),
    err.stack ?? "",
    JSON.stringify(err),
    inspect(err, { depth: 10, showHidden: true }),
  ].join("\n");
}

/** Asserts that none of `secrets` appears in any view of `e` (nor a bearer header). */
export function expectNoSecrets(e: unknown, secrets: readonly string[]): void {
  const text = typeof e === "string" ? e : views(e);
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/Bearer\s+(?!\[redacted\])\S/);
}

/** The emulator's logged requests of a route. */
export function logged(emu: EmulatorHandle, route: string) {
  return emu.requests().filter((r) => r.route === route);
}
