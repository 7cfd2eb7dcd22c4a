/**
 * pulumi-nexudus example: one `WebhookSet` per Nexudus location, built in a loop over structured
 * stack config.
 *
 *   config:
 *     nexudus-location-sets:namePrefix: ops          # optional: Nexudus Name = "ops BookingCreate"
 *     nexudus-location-sets:secretUrls: "true"       # optional: every URL as a secret
 *     nexudus-location-sets:locations:
 *       - name: hq                                   # optional: the set's resource name
 *         businessId: 1234
 *         url: https://hooks.example.com/nexudus/hq  # default URL of the location's hooks
 *         exclusive: true                            # delete webhooks at 1234 that no set manages
 *         hooks:                                     # optional: default BookingCreate/Update/Delete
 *           - BookingCreate
 *           - action: CoworkerInvoicePaid
 *             url: https://billing.example.com/hook
 *             description: Billing sync
 *       - businessId: 5678
 *         url: https://hooks.example.com/nexudus/annex
 *
 * See Pulumi.dev.yaml (a sample for the local emulator) and README.md.
 */
import * as pulumi from "@pulumi/pulumi";
import * as nexudus from "pulumi-nexudus";

/** One entry of the `locations` config, after validation. */
interface LocationConfig {
  /** The set's resource name: `name`, or `location-<businessId>`. */
  name: string;
  businessId: number;
  url: string;
  exclusive: boolean;
  /** Action names, or `{action, url?, description?, active?, name?, adopt?, key?}`. */
  hooks: nexudus.WebhookSetHook[];
  /** Overrides the stack-wide `namePrefix` for this location. */
  namePrefix?: string;
}

/** The hooks of a location that lists none. */
const DEFAULT_HOOKS: nexudus.WebhookSetHook[] = ["BookingCreate", "BookingUpdate", "BookingDelete"];

const config = new pulumi.Config();
const key = (path: string) => `${pulumi.getProject()}:${path}`;

/** Stops the program with a message that names the config path and the rule (no stack trace). */
function fail(path: string, rule: string, value: unknown): never {
  throw new pulumi.RunError(`config '${key(path)}' ${rule}; got ${JSON.stringify(value)}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optionalString(v: unknown, path: string): string | undefined {
  if (v === undefined || typeof v === "string") return v;
  return fail(path, "must be a string", v);
}

/**
 * Checks the shape of `locations`. The hooks themselves (action names with a suggestion on a typo,
 * URLs, repeated hooks) are checked by `WebhookSet`, whose messages name `hooks[i]`. Fails on a
 * repeated location or name: two sets at one location would fight, above all an exclusive one.
 */
function readLocations(raw: unknown): LocationConfig[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    return fail("locations", "must be a non-empty list of {businessId, url, exclusive?}", raw);
  }
  const byId = new Set<number>();
  const byName = new Set<string>();
  return raw.map((entry: unknown, i): LocationConfig => {
    const path = `locations[${i}]`;
    if (!isRecord(entry)) {
      return fail(path, "must be an object {businessId, url, exclusive?}", entry);
    }
    const { businessId, url, exclusive, hooks } = entry;
    if (typeof businessId !== "number" || !Number.isSafeInteger(businessId) || businessId <= 0) {
      fail(`${path}.businessId`, "must be a positive whole number", businessId);
    }
    if (typeof url !== "string" || url === "") fail(`${path}.url`, "must be a URL", url);
    if (exclusive !== undefined && typeof exclusive !== "boolean") {
      fail(`${path}.exclusive`, "must be true or false", exclusive);
    }
    if (hooks !== undefined && (!Array.isArray(hooks) || hooks.length === 0)) {
      fail(`${path}.hooks`, "must be a non-empty list", hooks);
    }
    const name = optionalString(entry.name, `${path}.name`) ?? `location-${businessId}`;
    const namePrefix = optionalString(entry.namePrefix, `${path}.namePrefix`);
    if (byId.has(businessId)) fail(`${path}.businessId`, "repeats another location", businessId);
    if (byName.has(name)) fail(`${path}.name`, "repeats another location's name", name);
    byId.add(businessId);
    byName.add(name);
    const location: LocationConfig = {
      name,
      businessId,
      url,
      exclusive: exclusive ?? false,
      hooks: (hooks as nexudus.WebhookSetHook[] | undefined) ?? DEFAULT_HOOKS,
    };
    if (namePrefix !== undefined) location.namePrefix = namePrefix;
    return location;
  });
}

const locations = readLocations(config.requireObject<unknown>("locations"));
/** Optional: the Nexudus Name of every hook is "<namePrefix> <Action>" (default: the set's name). */
const namePrefix = config.get("namePrefix");
/**
 * Optional: treat every URL as a secret (encrypted in state, masked in outputs), for URLs that
 * carry a credential. Two hooks of one action at one location then need a `key` each.
 */
const secretUrls = config.getBoolean("secretUrls") ?? false;
const asUrl = (url: string): pulumi.Input<string> => (secretUrls ? pulumi.secret(url) : url);

const sets: Record<string, nexudus.WebhookSet> = {};
for (const location of locations) {
  sets[location.name] = new nexudus.WebhookSet(location.name, {
    businessId: location.businessId,
    url: asUrl(location.url),
    hooks: location.hooks.map((hook) =>
      typeof hook === "object" && hook.url !== undefined
        ? { ...hook, url: typeof hook.url === "string" ? asUrl(hook.url) : hook.url }
        : hook,
    ),
    namePrefix: location.namePrefix ?? namePrefix,
    exclusive: location.exclusive,
  });
}

/** Per set: its webhooks, `{webhookId, action, url, active}` by child resource name. */
export const webhooks = Object.fromEntries(
  Object.entries(sets).map(([name, set]) => [name, set.webhooks]),
);
/** Per set: the location it manages. */
export const businessIds = Object.fromEntries(locations.map((l) => [l.name, l.businessId]));
