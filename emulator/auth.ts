/**
 * Users, credentials and the OAuth2 token endpoint of the emulator.
 *
 * - `Authorization: Bearer <token>`: a token issued by `/api/token` (until it expires) or one of a
 *   user's `apiTokens` (never expire).
 * - `Authorization: Basic base64(email:password)`.
 * - `POST /api/token` takes form-encoded bodies only: `grant_type=password&username=&password=` or
 *   `grant_type=refresh_token&refresh_token=`. A refresh rotates the refresh token.
 */
import { randomBytes } from "node:crypto";
import { ROLES, type EmulatorUser, type Role } from "./types";

/** The outcome of checking an `Authorization` header. */
export type AuthResult =
  { ok: true; user: EmulatorUser } | { ok: false; message: string; wwwAuthenticate: string };

/** The outcome of a token request: the HTTP status and JSON body to answer. */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  /** The user the token was issued to, when it was. */
  username?: string;
}

interface IssuedToken {
  username: string;
  expiresAt: number;
}

function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Checks a user definition; throws an error naming the problem. */
export function checkUser(u: EmulatorUser): void {
  if (typeof u.username !== "string" || u.username.trim() === "") {
    throw new Error("emulator user: username must be a non-empty string");
  }
  if (typeof u.password !== "string") {
    throw new Error(`emulator user ${u.username}: password must be a string`);
  }
  if (!Array.isArray(u.roles)) {
    throw new Error(`emulator user ${u.username}: roles must be an array`);
  }
  for (const r of u.roles) {
    if (!ROLES.includes(r)) {
      throw new Error(
        `emulator user ${u.username}: unknown role "${r}" (known: ${ROLES.join(", ")})`,
      );
    }
  }
}

/** Whether a user holds a role (an Administrator holds every role). */
export function hasRole(user: EmulatorUser, role: Role): boolean {
  return user.roles.includes("Administrator") || user.roles.includes(role);
}

/** The users and the tokens issued to them. */
export class UserDirectory {
  private readonly users = new Map<string, EmulatorUser>();
  private accessTokens = new Map<string, IssuedToken>();
  private refreshTokens = new Map<string, string>();

  constructor(
    users: readonly EmulatorUser[],
    private readonly tokenTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    for (const u of users) this.add(u);
  }

  /** Adds a user, or replaces the one with the same username (case-insensitive). */
  add(u: EmulatorUser): void {
    checkUser(u);
    this.users.set(u.username.toLowerCase(), {
      username: u.username,
      password: u.password,
      roles: [...u.roles],
      apiTokens: [...(u.apiTokens ?? [])],
    });
  }

  /** Every user (copies). */
  list(): EmulatorUser[] {
    return [...this.users.values()].map((u) => ({
      ...u,
      roles: [...u.roles],
      apiTokens: [...(u.apiTokens ?? [])],
    }));
  }

  private find(username: string): EmulatorUser | undefined {
    return this.users.get(username.toLowerCase());
  }

  /** Checks an `Authorization` header value. */
  authenticate(header: string | undefined): AuthResult {
    const denied = (message: string, error?: string): AuthResult => ({
      ok: false,
      message,
      wwwAuthenticate: error ? `Bearer error="${error}"` : "Bearer",
    });
    if (header === undefined || header.trim() === "") {
      return denied("Authorization has been denied for this request.");
    }
    const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
    if (!m) return denied("Authorization has been denied for this request.");
    const scheme = (m[1] ?? "").toLowerCase();
    const credential = m[2] ?? "";
    if (scheme === "bearer") {
      const issued = this.accessTokens.get(credential);
      if (issued) {
        const user = this.find(issued.username);
        if (issued.expiresAt <= this.now()) {
          return denied("The access token has expired.", "invalid_token");
        }
        if (user) return { ok: true, user };
      }
      for (const user of this.users.values()) {
        if ((user.apiTokens ?? []).includes(credential)) return { ok: true, user };
      }
      return denied("Authorization has been denied for this request.", "invalid_token");
    }
    if (scheme === "basic") {
      const decoded = Buffer.from(credential, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) {
        const user = this.find(decoded.slice(0, colon));
        if (user && user.password === decoded.slice(colon + 1)) return { ok: true, user };
      }
      return denied("Authorization has been denied for this request.");
    }
    return denied("Authorization has been denied for this request.");
  }

  private issue(user: EmulatorUser): TokenAnswer {
    const accessToken = newToken();
    const refreshToken = newToken();
    this.accessTokens.set(accessToken, {
      username: user.username,
      expiresAt: this.now() + this.tokenTtlSeconds * 1000,
    });
    this.refreshTokens.set(refreshToken, user.username);
    return {
      status: 200,
      username: user.username,
      body: {
        access_token: accessToken,
        token_type: "bearer",
        expires_in: this.tokenTtlSeconds,
        refresh_token: refreshToken,
      },
    };
  }

  /**
   * Answers `POST /api/token`. `contentType` is the request's Content-Type; anything but
   * `application/x-www-form-urlencoded` is rejected as `unsupported_grant_type`, as the
   * OAuth server does with a JSON body.
   */
  token(contentType: string | undefined, body: string): TokenAnswer {
    const unsupported: TokenAnswer = { status: 400, body: { error: "unsupported_grant_type" } };
    const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/x-www-form-urlencoded") return unsupported;
    const form = new URLSearchParams(body);
    const grant = form.get("grant_type");
    if (grant === "password") {
      const user = this.find(form.get("username") ?? "");
      if (!user || user.password !== (form.get("password") ?? "")) {
        return {
          status: 400,
          body: {
            error: "invalid_grant",
            error_description: "The user name or password is incorrect.",
          },
        };
      }
      return this.issue(user);
    }
    if (grant === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      const username = this.refreshTokens.get(presented);
      const user = username === undefined ? undefined : this.find(username);
      if (!user) {
        return {
          status: 400,
          body: {
            error: "invalid_grant",
            error_description: "The refresh token is invalid or has expired.",
          },
        };
      }
      this.refreshTokens.delete(presented);
      return this.issue(user);
    }
    return unsupported;
  }

  /** Invalidates every issued access token and, unless kept, every refresh token. */
  expireTokens(opts: { keepRefreshTokens?: boolean } = {}): void {
    this.accessTokens = new Map();
    if (!opts.keepRefreshTokens) this.refreshTokens = new Map();
  }
}
