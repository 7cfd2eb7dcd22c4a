/**
 * The plugin's package schema (provider/plugin/schema.ts) against the definitions the TypeScript
 * package uses, and `schema.json` at the repository root against what `npm run plugin:schema`
 * writes. No network, no process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ACTION_NAMES, WebhookAction } from "../../client/actions";
import { KNOWN_CONFIG_KEYS } from "../../config/settings";
import { COMPUTED_OUTPUT_KEYS, WEBHOOK_INPUT_KEYS } from "../../provider/inputs";
import {
  ACTION_ENUM_TOKEN,
  buildSchema,
  FUNCTIONS,
  schemaText,
  WEBHOOK_TOKEN,
} from "../../provider/plugin/schema";
import { webhookActions } from "../../provider/plugin/functions";

const ROOT = path.resolve(__dirname, "..", "..");
type Prop = { description?: string; secret?: boolean; $ref?: string; oneOf?: Prop[] };
type Obj = { properties?: Record<string, Prop>; inputProperties?: Record<string, Prop> };

const schema = buildSchema() as unknown as {
  version: string;
  config: { variables: Record<string, Prop> };
  provider: Obj;
  types: Record<string, Obj & { enum?: { name: string; value: string }[] }>;
  resources: Record<string, Obj & { requiredInputs: string[] }>;
  functions: Record<string, { inputs?: Obj; outputs: Obj }>;
};

describe("schema.json", () => {
  it("is the committed text of `npm run plugin:schema` (regenerate it after a change)", () => {
    const committed = fs.readFileSync(path.join(ROOT, "schema.json"), "utf8");
    expect(committed).toBe(schemaText());
  });

  it("carries the package version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(schema.version).toBe(pkg.version);
  });
});

describe("the schema's definitions come from the TypeScript package's", () => {
  const webhook = schema.resources[WEBHOOK_TOKEN]!;

  it("WebHook inputs are WEBHOOK_INPUT_KEYS; outputs add COMPUTED_OUTPUT_KEYS", () => {
    expect(Object.keys(webhook.inputProperties!)).toEqual([...WEBHOOK_INPUT_KEYS]);
    expect(Object.keys(webhook.properties!)).toEqual([
      ...WEBHOOK_INPUT_KEYS,
      ...COMPUTED_OUTPUT_KEYS,
    ]);
    expect(webhook.requiredInputs).toEqual(["businessId", "name", "action", "url"]);
  });

  it("the action enum is provider/actions.ts's, and `action` takes a name or a number", () => {
    const values = schema.types[ACTION_ENUM_TOKEN]!.enum!;
    expect(values.map((v) => v.value)).toEqual([...ACTION_NAMES]);
    expect(webhook.inputProperties!.action!.oneOf).toEqual([
      { type: "string", $ref: `#/types/${ACTION_ENUM_TOKEN}` },
      { type: "integer" },
    ]);
    expect(webhookActions()).toEqual(
      ACTION_NAMES.map((n) => ({ name: n, value: WebhookAction[n] })),
    );
  });

  it("the config keys are the provider's stack config keys (config/settings.ts)", () => {
    const keys = Object.keys(schema.config.variables).map((k) => `nexudus:${k}`);
    expect(keys.sort()).toEqual([...KNOWN_CONFIG_KEYS].sort());
    expect(Object.keys(schema.provider.inputProperties!).sort()).toEqual(
      Object.keys(schema.config.variables).sort(),
    );
  });

  it("url, lastError, token and password are secret, nothing else", () => {
    const secrets = (o: Record<string, Prop>) =>
      Object.entries(o)
        .filter(([, p]) => p.secret === true)
        .map(([k]) => k)
        .sort();
    expect(secrets(webhook.inputProperties!)).toEqual(["url"]);
    expect(secrets(webhook.properties!)).toEqual(["lastError", "url"]);
    expect(secrets(schema.config.variables)).toEqual(["password", "token"]);
    expect(secrets(schema.provider.inputProperties!)).toEqual(["password", "token"]);
  });

  it("has the three functions", () => {
    expect(Object.keys(schema.functions).sort()).toEqual(Object.values(FUNCTIONS).sort());
  });

  it("describes every property of every object", () => {
    const missing: string[] = [];
    const visit = (where: string, props: Record<string, Prop> | undefined) => {
      for (const [k, p] of Object.entries(props ?? {})) {
        if (!p.description || p.description.trim() === "") missing.push(`${where}.${k}`);
      }
    };
    visit("config", schema.config.variables);
    visit("provider", schema.provider.inputProperties);
    visit("provider.out", schema.provider.properties);
    for (const [t, o] of Object.entries(schema.types)) visit(t, o.properties);
    for (const [t, o] of Object.entries(schema.resources)) {
      visit(`${t}.in`, o.inputProperties);
      visit(`${t}.out`, o.properties);
    }
    for (const [t, f] of Object.entries(schema.functions)) {
      visit(`${t}.in`, f.inputs?.properties);
      visit(`${t}.out`, f.outputs.properties);
    }
    expect(missing).toEqual([]);
  });
});
