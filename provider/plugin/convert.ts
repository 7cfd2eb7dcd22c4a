/**
 * The plugin's conversions between the engine's wire values and the dynamic provider's
 * (provider/webhook.ts), which does all the work: secrets unwrapped before a call and wrapped again
 * after it, the configuration of a `Configure` request as the config getter `configure()` reads, and
 * a detailed per-property diff built from the dynamic diff's answer. No I/O here.
 */
import { DERIVED_ACTION_NAME, UNKNOWN, WEBHOOK_INPUT_KEYS } from "../inputs";

/** Key marking a special value (secret, asset, ...) in a property map on the wire. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Value of {@link SIG_KEY} that marks a secret: `{[SIG_KEY]: SECRET_SIG, value}`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A property map as `google.protobuf.Struct` converts it. */
export type PropertyMap = Record<string, unknown>;

/**
 * Outputs of a WebHook that are always secret: the URL (a webhook URL often holds a credential:
 * Slack, Zapier) and the last delivery error (it may quote the URL). Any other property given as
 * a secret stays one.
 */
export const SECRET_OUTPUTS = ["url", "lastError"] as const;

/** Whether `v` is a wire secret `{[SIG_KEY]: SECRET_SIG, value}`. */
export function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as PropertyMap)[SIG_KEY] === SECRET_SIG;
}

/** `v` as a wire secret (a value already wrapped stays as it is). */
export function secret(v: unknown): unknown {
  return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

/** `v` with each secret (at any depth) replaced by what `replace` makes of it. */
export function replaceSecrets(v: unknown, replace: (s: { value: unknown }) => unknown): unknown {
  if (isSecret(v)) return replace(v);
  if (Array.isArray(v)) return v.map((e) => replaceSecrets(e, replace));
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, replaceSecrets(e, replace)]));
  }
  return v;
}

/** `v` with every secret wrapper removed, deeply. */
export function reveal(v: unknown): unknown {
  return replaceSecrets(v, (s) => reveal(s.value));
}

/** Whether `v` holds a secret anywhere. */
function holdsSecret(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(holdsSecret);
  if (typeof v === "object" && v !== null) return Object.values(v).some(holdsSecret);
  return false;
}

/**
 * A property map without its secret wrappers, and the top-level keys that held a secret (to wrap
 * again in what the dynamic provider answers).
 */
export function unwrapMap(props: PropertyMap | undefined): {
  plain: PropertyMap;
  secretKeys: Set<string>;
} {
  const plain: PropertyMap = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(props ?? {})) {
    if (holdsSecret(v)) secretKeys.add(k);
    plain[k] = reveal(v);
  }
  return { plain, secretKeys };
}

/**
 * A property map for the engine: `undefined` dropped (a Struct cannot hold it), and each key of
 * `secretKeys` or {@link SECRET_OUTPUTS} that has a value wrapped as a secret (null stays null:
 * nothing to hide, and the engine shows it as such).
 */
export function wrapMap(props: PropertyMap, secretKeys: Iterable<string> = []): PropertyMap {
  const keys = new Set<string>([...SECRET_OUTPUTS, ...secretKeys]);
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    out[k] = keys.has(k) && v !== null ? secret(v) : v;
  }
  return out;
}

/** The config getter of `configure()` (`get("nexudus:token")`) over a `Configure` request. */
export function configGetter(
  args: PropertyMap | undefined,
  variables: ReadonlyMap<string, string> | Record<string, string>,
): { get(key: string): string | undefined } {
  const vars: ReadonlyMap<string, string> =
    variables instanceof Map ? variables : new Map(Object.entries(variables));
  const plainArgs = reveal(args ?? {}) as PropertyMap;
  return {
    get(key: string): string | undefined {
      const name = key.startsWith("nexudus:") ? key.slice("nexudus:".length) : key;
      // Newer engines send the provider's inputs as `args` (un-namespaced keys, typed values);
      // older ones only the `variables` (`nexudus:config:<name>`, strings).
      for (const v of [plainArgs[name], plainArgs[key]]) {
        if (v === undefined || v === null || v === "") continue;
        return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
      }
      const fromVars = vars.get(`nexudus:config:${name}`) ?? vars.get(key);
      return fromVars === "" ? undefined : fromVars;
    },
  };
}

/** The kinds of a `PropertyDiff`, as pulumirpc numbers them. */
export const DIFF_KIND = {
  ADD: 0,
  ADD_REPLACE: 1,
  DELETE: 2,
  DELETE_REPLACE: 3,
  UPDATE: 4,
  UPDATE_REPLACE: 5,
} as const;

/** A detailed diff entry: what happens to one property. */
export interface PropertyDiff {
  kind: (typeof DIFF_KIND)[keyof typeof DIFF_KIND];
  inputDiff: boolean;
}

/** What the dynamic provider's `diff` answers. */
export interface DynamicDiff {
  changes?: boolean;
  replaces?: string[];
  deleteBeforeReplace?: boolean;
}

/** The engine's answer to a Diff: the dynamic answer, with the changed keys and their kinds. */
export interface DetailedDiff extends DynamicDiff {
  diffs: string[];
  detailedDiff: Record<string, PropertyDiff>;
}

function absent(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

/**
 * The detailed diff of a resource (a WebHook unless other input `keys` are given), built from the
 * dynamic provider's own `diff` only: its answer
 * for the whole change (changes, replaces), and, for each input, its answer for the old state
 * with that one input set to the new value (the dynamic diff compares the inputs one by one, so
 * this names exactly the fields it counts as changed, server forms and unknowns included).
 * `olds` are the old outputs, `news` the checked inputs, both without secret wrappers.
 */
export async function detailedDiff(
  diff: (olds: PropertyMap, news: PropertyMap) => Promise<DynamicDiff>,
  olds: PropertyMap,
  news: PropertyMap,
  keys: readonly string[] = WEBHOOK_INPUT_KEYS,
): Promise<DetailedDiff> {
  const whole = await diff(olds, news);
  const replaces = whole.replaces ?? [];
  const result: DetailedDiff = { ...whole, replaces, diffs: [], detailedDiff: {} };
  if (whole.changes !== true) return result;
  for (const key of keys) {
    if (!(key in news) && !(key in olds)) continue;
    const probe = await diff(olds, { ...olds, [key]: news[key] });
    if (probe.changes !== true) continue;
    const replace = replaces.includes(key) || (probe.replaces ?? []).includes(key);
    const before = olds[key];
    const after = news[key];
    const kind =
      after !== UNKNOWN && absent(before) && !absent(after)
        ? replace
          ? DIFF_KIND.ADD_REPLACE
          : DIFF_KIND.ADD
        : after !== UNKNOWN && absent(after) && !absent(before)
          ? replace
            ? DIFF_KIND.DELETE_REPLACE
            : DIFF_KIND.DELETE
          : replace
            ? DIFF_KIND.UPDATE_REPLACE
            : DIFF_KIND.UPDATE;
    result.diffs.push(key);
    result.detailedDiff[key] = { kind, inputDiff: false };
  }
  // The action's name beside its number (`check` derives it): `preview --diff` shows
  // `~ actionName: "BookingCreate" => "BookingUpdate"` under `~ action: 6 => 7`.
  const derived = DERIVED_ACTION_NAME;
  if (
    "action" in result.detailedDiff &&
    news[derived] !== undefined &&
    news[derived] !== olds[derived]
  ) {
    result.diffs.push(derived);
    result.detailedDiff[derived] = { kind: result.detailedDiff.action!.kind, inputDiff: false };
  }
  return result;
}
