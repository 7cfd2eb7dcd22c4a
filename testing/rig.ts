/**
 * An emulator and a configured dynamic-provider host pointed at it: the set-up of every
 * engine-level suite.
 *
 * ```ts
 * let rig: Rig;
 * beforeAll(async () => { rig = await startRig({ token: TOKEN }); });
 * afterAll(async () => { expect(await rig?.stop()).not.toContain(TOKEN); });
 * ```
 */
import {
  startEmulator,
  type EmulatorHandle,
  type EmulatorUser,
  type StartEmulatorOptions,
} from "../emulator";
import { startHost, type ConfigValue, type Host, type StartHostOptions } from "./host";

/** An Administrator whose API token is `token` (for `StartEmulatorOptions.users`). */
export function adminUser(token: string, username = "ops@example.com"): EmulatorUser {
  return { username, password: `pw-${token}`, roles: ["Administrator"], apiTokens: [token] };
}

/** An emulator and a configured host pointed at it. */
export interface Rig {
  emulator: EmulatorHandle;
  host: Host;
  /** Stops both; resolves with everything the host printed. */
  stop(): Promise<string>;
}

/** Options of {@link startRig}. */
export interface RigOptions {
  emulator?: StartEmulatorOptions;
  host?: StartHostOptions;
  /**
   * Add an Administrator with this API token ({@link adminUser}, named `username`) and configure
   * the host with it as the secret `nexudus:token`. Default: the emulator's default admin token.
   */
  token?: string;
  /** The Administrator's name when `token` is given (default `ops@example.com`). */
  username?: string;
  /** Stack config instead of `nexudus:baseUrl` + `nexudus:token`. */
  config?: (emulator: EmulatorHandle) => Record<string, ConfigValue>;
}

/** Starts an emulator and a host, and configures the host (the engine always does first). */
export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const users = opts.token
    ? [...(opts.emulator?.users ?? []), adminUser(opts.token, opts.username)]
    : opts.emulator?.users;
  const emulator = await startEmulator({ port: 0, ...opts.emulator, ...(users ? { users } : {}) });
  let host: Host;
  try {
    host = await startHost(opts.host);
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  const config = opts.config?.(emulator) ?? {
    "nexudus:baseUrl": emulator.url,
    "nexudus:token": { secret: opts.token ?? "emulator-admin-token" },
  };
  await host.configure(config);
  return {
    emulator,
    host,
    async stop() {
      const printed = host.stdout() + host.stderr();
      await host.stop();
      await emulator.stop();
      return printed;
    },
  };
}

/** The emulator and host of {@link useRig}, filled in before the suite's first test. */
export type SuiteRig = Pick<Rig, "emulator" | "host">;

/**
 * A suite's rig: started before its tests and stopped after them. Stopping fails the suite when
 * the host printed the rig's token, since a credential must never reach the engine's output. Call
 * it at the top of the file; the object it returns is filled in by its `beforeAll`.
 */
export function useRig(opts: RigOptions = {}): SuiteRig {
  const suite = {} as SuiteRig;
  let rig: Rig | undefined;
  beforeAll(async () => {
    rig = await startRig(opts);
    suite.emulator = rig.emulator;
    suite.host = rig.host;
  });
  afterAll(async () => {
    const printed = await rig?.stop();
    if (opts.token) expect(printed).not.toContain(opts.token);
  });
  return suite;
}
