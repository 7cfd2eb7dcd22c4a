/**
 * Redirects never carry the credential to another origin: a loopback server redirects to a
 * second loopback server (another port, so another origin), which must see no Authorization.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { NexudusClient } from "../../client/client";
import { NexudusAuthError } from "../../client/errors";
import { expectNoSecrets, rejection } from "./helpers";

const TOKEN = "redirect-S3CRET-token-31";

interface Seen {
  url: string;
  authorization?: string;
}

async function server(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({
      url: req.url ?? "",
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

const RECORD = {
  Id: 5,
  BusinessId: 1234,
  Name: "n",
  Action: 6,
  URL: "https://example.com/n",
  Active: true,
};

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(value));
}

describe("redirects", () => {
  it("strips Authorization when a redirect leaves the origin", async () => {
    const target = await server((_req, res) => json(res, 200, RECORD));
    const origin = await server((req, res) => {
      res.writeHead(302, { Location: `${target.url}${req.url}` });
      res.end();
    });
    try {
      const c = new NexudusClient({ baseUrl: origin.url, token: TOKEN, rateLimit: false });
      await expect(c.get(5)).resolves.toMatchObject({ Id: 5 });
      expect(origin.seen).toEqual([
        { url: "/api/sys/webhooks/5", authorization: `Bearer ${TOKEN}` },
      ]);
      expect(target.seen).toEqual([{ url: "/api/sys/webhooks/5" }]); // reached, without the token
    } finally {
      await Promise.all([target.close(), origin.close()]);
    }
  });

  it("keeps Authorization on a same-origin redirect", async () => {
    const s = await server((req, res) => {
      if (req.url === "/api/sys/webhooks/5") {
        res.writeHead(301, { Location: "/moved/api/sys/webhooks/5" });
        res.end();
      } else {
        json(res, 200, RECORD);
      }
    });
    try {
      const c = new NexudusClient({ baseUrl: s.url, token: TOKEN, rateLimit: false });
      await c.get(5);
      expect(s.seen.map((x) => x.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    } finally {
      await s.close();
    }
  });

  it("a 401 from the other origin is an auth error that shows no token", async () => {
    const target = await server((req, res) =>
      json(res, 401, { Message: `no credential (got ${req.headers.authorization ?? "none"})` }),
    );
    const origin = await server((req, res) => {
      res.writeHead(307, { Location: `${target.url}${req.url}` });
      res.end();
    });
    try {
      const c = new NexudusClient({ baseUrl: origin.url, token: TOKEN, rateLimit: false });
      const e = await rejection(c.searchPage({}));
      expect(e).toBeInstanceOf(NexudusAuthError);
      expect((e as NexudusAuthError).apiMessage).toBe("no credential (got none)");
      expectNoSecrets(e, [TOKEN]);
    } finally {
      await Promise.all([target.close(), origin.close()]);
    }
  });

  it("redacts a credential the server echoes back in its message", async () => {
    const s = await server((req, res) =>
      json(res, 401, { Message: `token ${req.headers.authorization ?? ""} is not valid` }),
    );
    try {
      const c = new NexudusClient({ baseUrl: s.url, token: TOKEN, rateLimit: false });
      const e = await rejection(c.get(5));
      expect(e).toBeInstanceOf(NexudusAuthError);
      expect((e as NexudusAuthError).apiMessage).toMatch(/^token .*\[redacted\] is not valid$/);
      expectNoSecrets(e, [TOKEN]);
    } finally {
      await s.close();
    }
  });
});
