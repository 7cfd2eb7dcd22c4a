/**
 * The Pulumi package schema of the `nexudus` plugin, built from the definitions the TypeScript
 * package uses: the input keys and computed outputs of provider/inputs.ts, the action enum of
 * client/actions.ts and the settings of config/settings.ts. Each list is typed by its source,
 * so that an input, output or setting added there fails to compile here until it is described.
 * `schema.json` at the repository root is this schema, written by `npm run plugin:schema`.
 */
import { ACTION_NAMES, NONE_ACTION, WebhookAction } from "../../client/actions";
import { SETTINGS, type Setting } from "../../config/settings";
import { packageVersion } from "../../client/version";
import {
  COMPUTED_OUTPUT_KEYS,
  WEBHOOK_INPUT_KEYS,
  type WebhookComputed,
  type WebhookInputs,
} from "../inputs";
import { REFRESH_MODES } from "../readCache";
import { EXCLUSION_INPUT_KEYS, type ExclusionOutputs } from "../exclusion";
import { HOOK_KEYS, KEEP_KEYS, SET_KEYS } from "../setArgs";

export const HOOK_TYPE_TOKEN = "nexudus:index:WebhookSetHook";
export const KEEP_TYPE_TOKEN = "nexudus:index:WebhookSetKeep";
export const MEMBER_TYPE_TOKEN = "nexudus:index:WebhookSetMember";
export const ADOPTABLE_TYPE_TOKEN = "nexudus:index:AdoptableWebhook";
export const UNMANAGED_TYPE_TOKEN = "nexudus:index:UnmanagedWebhook";

/** The package name: the plugin is `pulumi-resource-nexudus`, its tokens `nexudus:index:*`. */
export const PACKAGE = "nexudus";
export const WEBHOOK_TOKEN = "nexudus:index:WebHook";
export const EXCLUSION_TOKEN = "nexudus:index:WebhookSetExclusion";
export const SET_TOKEN = "nexudus:index:WebhookSet";
export const ACTION_ENUM_TOKEN = "nexudus:index:WebhookAction";
export const WEBHOOK_TYPE_TOKEN = "nexudus:index:Webhook";
export const ACTION_INFO_TOKEN = "nexudus:index:WebhookActionInfo";
export const FUNCTIONS = {
  getWebhook: "nexudus:index:getWebhook",
  getWebhooks: "nexudus:index:getWebhooks",
  getWebhookActions: "nexudus:index:getWebhookActions",
} as const;

/** One property of a schema object. */
export interface SchemaProperty {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  $ref?: string;
  oneOf?: SchemaProperty[];
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  description?: string;
  secret?: boolean;
  default?: unknown;
  defaultInfo?: { environment: string[] };
}

type Props<K extends string> = Record<K, SchemaProperty & { description: string }>;

const ACTION_INPUT: SchemaProperty = {
  oneOf: [{ type: "string", $ref: `#/types/${ACTION_ENUM_TOKEN}` }, { type: "integer" }],
};

/** The inputs of a WebHook (provider/inputs.ts WEBHOOK_INPUT_KEYS), as arguments. */
const INPUTS: Props<keyof WebhookInputs> = {
  businessId: {
    type: "integer",
    description:
      "The Nexudus location (business) id. Changing it replaces the webhook (the new one is created first).",
  },
  name: {
    type: "string",
    description: "Display name of the webhook in Nexudus (1 to 255 characters).",
  },
  action: {
    ...ACTION_INPUT,
    description:
      'The event that fires the webhook: an `eWebhookAction` name such as "BookingCreate", or its number (6).',
  },
  url: {
    type: "string",
    secret: true,
    description:
      "The absolute http(s) URL that receives the POST. Always kept secret: a webhook URL often holds a credential.",
  },
  description: {
    type: "string",
    description: "Optional description; left out, the webhook has none.",
  },
  active: {
    type: "boolean",
    default: true,
    description:
      "Whether the webhook fires (default true). A webhook Nexudus disabled is re-enabled by `pulumi up`.",
  },
  adopt: {
    type: "boolean",
    default: false,
    description:
      "Take over an existing webhook instead of creating one (default false): on create, the one webhook at the " +
      "location with the same action and URL is adopted and updated to the declared values; several matches fail " +
      "with their ids. `pulumi import` works too.",
  },
};

/** The outputs beyond the inputs (provider/inputs.ts COMPUTED_OUTPUT_KEYS). */
const COMPUTED: Props<keyof WebhookComputed> = {
  webhookId: {
    type: "integer",
    description: "The Nexudus record id (the resource id, as a number).",
  },
  uniqueId: { type: "string", description: "The record's UUID." },
  actionName: { type: "string", description: 'The action name, e.g. "BookingCreate".' },
  lastError: {
    type: "string",
    secret: true,
    description: "Error of the last failed delivery, or null. Secret: it may quote the URL.",
  },
  errorCount: { type: "integer", description: "Consecutive failed deliveries." },
  lastTrigger: {
    type: "string",
    description: "When the webhook last fired successfully (ISO 8601), or null.",
  },
  createdOn: { type: "string", description: "When the record was created (ISO 8601)." },
  updatedOn: { type: "string", description: "When the record was last updated (ISO 8601)." },
  updatedBy: { type: "string", description: "Who last updated the record." },
};

const ref = (token: string): SchemaProperty => ({ $ref: `#/types/${token}` });

/** A hook of a multi-language WebhookSet (provider/setArgs.ts HOOK_KEYS), in long form. */
const HOOK: Props<(typeof HOOK_KEYS)[number]> = {
  action: {
    ...ACTION_INPUT,
    description:
      'The event: an action name ("BookingCreate") or its number (6). A plain value: the hook\'s resource name is derived from it.',
  },
  url: {
    type: "string",
    secret: true,
    description: "The target URL; default: the set's `url`. Always kept secret.",
  },
  name: {
    type: "string",
    description: 'The Nexudus Name; default "<namePrefix> <ActionName>".',
  },
  description: { type: "string", description: "Optional description." },
  active: {
    type: "boolean",
    description: "Whether the webhook fires; default: the set's `active`.",
  },
  adopt: {
    type: "boolean",
    description:
      "Take over an existing webhook with the same action and URL; default: the set's `adopt`.",
  },
  key: {
    type: "string",
    description:
      "A stable identifier among the set's hooks of the same action, used in the resource name when the action " +
      "appears more than once (instead of a hash of the URL); required then if the URL is not known when the set " +
      "is declared. 1-40 letters, digits, `_`, `.`, `-`, starting with a letter or digit.",
  },
};

/** What an exclusive set keeps besides its hooks (provider/setArgs.ts KEEP_KEYS). */
const KEEP: Props<(typeof KEEP_KEYS)[number]> = {
  ids: {
    type: "array",
    items: { type: "integer" },
    description:
      "Ids of webhooks managed elsewhere (other sets, WebHooks of this program or other stacks).",
  },
  namePrefixes: {
    type: "array",
    items: { type: "string" },
    description:
      "Keep webhooks whose Name is one of these or starts with one followed by a space (e.g. other sets' namePrefix).",
  },
  otherSets: {
    type: "boolean",
    description:
      "TypeScript programs only: keep the hooks of the program's other WebhookSets (default true). A " +
      "multi-language set does not know the program's other resources: list them in `ids` or `namePrefixes`.",
  },
};

/** The arguments of a multi-language WebhookSet (provider/setArgs.ts SET_KEYS). */
const SET: Props<(typeof SET_KEYS)[number]> = {
  businessId: { type: "integer", description: "The Nexudus location (business) id of every hook." },
  url: {
    type: "string",
    secret: true,
    description: "Default target URL of every hook (a hook may give its own). Always kept secret.",
  },
  hooks: {
    type: "array",
    items: ref(HOOK_TYPE_TOKEN),
    description:
      "The hooks. Their order does not matter: resource names come from the action (and, for an action listed " +
      "more than once, the URL or `key`), never from the position.",
  },
  namePrefix: {
    type: "string",
    description:
      "Start of every hook's Nexudus Name, \"<namePrefix> <ActionName>\". Default: the set's name. Two sets at one location must not share it.",
  },
  active: { type: "boolean", description: "Default `active` of every hook (default true)." },
  adopt: { type: "boolean", description: "Default `adopt` of every hook (default false)." },
  exclusive: {
    type: "boolean",
    description:
      "Make the set authoritative for its location (default false): every webhook at `businessId` that is not one " +
      "of its hooks or kept by `alsoKeep` is listed by `pulumi preview` (the `unmanaged` property of the child " +
      "WebhookSetExclusion, by id, Name and action) and deleted by `pulumi up`. A multi-language set knows only its " +
      "own hooks: other sets and WebHooks of the same program must be listed in `alsoKeep`.",
  },
  alsoKeep: { ...ref(KEEP_TYPE_TOKEN), description: "More webhooks an exclusive set must keep." },
};

/** The inputs of a WebhookSetExclusion (provider/exclusion.ts EXCLUSION_INPUT_KEYS). */
const EXCLUSION: Props<Exclude<(typeof EXCLUSION_INPUT_KEYS)[number], "unmanaged">> = {
  businessId: { type: "integer", description: "The location whose webhooks are reconciled." },
  memberIds: {
    type: "array",
    items: { type: "integer" },
    description: "Ids of the webhooks the set manages (kept).",
  },
  keepIds: { type: "array", items: { type: "integer" }, description: "Other ids to keep." },
  alsoKeepIds: {
    type: "array",
    items: { type: "integer" },
    description: "Ids the user listed to keep.",
  },
  keepNamePrefixes: {
    type: "array",
    items: { type: "string" },
    description:
      "Keep every webhook whose Name is one of these or starts with one followed by a space.",
  },
  adoptable: {
    type: "array",
    items: ref(ADOPTABLE_TYPE_TOKEN),
    description:
      "Hooks declared with `adopt` (action and SHA-256 of the URL): in a preview, the records they will take over are not listed.",
  },
};

/** The outputs of a WebhookSetExclusion beyond its inputs. */
const EXCLUSION_COMPUTED: Props<Exclude<keyof ExclusionOutputs, keyof typeof EXCLUSION>> = {
  unmanaged: {
    type: "array",
    items: ref(UNMANAGED_TYPE_TOKEN),
    description:
      "The webhooks the next `up` deletes (during a preview), or left after it (by id, Name and action: never the URL).",
  },
  deleted: {
    type: "array",
    items: ref(UNMANAGED_TYPE_TOKEN),
    description: "What the last create or update deleted.",
  },
};

/** The settings a stack (or an explicit provider) configures: those with a `nexudus:*` key. */
type ConfigSetting = {
  [K in Setting]: (typeof SETTINGS)[K] extends { configKey: string } ? K : never;
}[Setting];

const CONFIG: Props<ConfigSetting> = {
  baseUrl: {
    type: "string",
    description:
      "The Nexudus API base URL (default https://spaces.nexudus.com); https://, or http:// on loopback (the emulator).",
  },
  token: {
    type: "string",
    secret: true,
    description:
      "A Nexudus bearer token. Set it as a secret: `pulumi config set --secret nexudus:token <token>`.",
  },
  username: {
    type: "string",
    description:
      "A Nexudus user (an administrator's email), with `password`, when no token is set.",
  },
  password: {
    type: "string",
    secret: true,
    description: "The password of `username`. Set it as a secret.",
  },
  timeoutMs: {
    type: "integer",
    description: "Per-request timeout in milliseconds (a whole number, at least 1).",
  },
  maxRetries: {
    type: "integer",
    description:
      "Retries after the first attempt of an idempotent call (a whole number, at least 0).",
  },
  refreshMode: {
    type: "string",
    description: `How refresh reads webhooks: one of ${REFRESH_MODES.join(", ")} (default account).`,
  },
  maxWaitMs: {
    type: "integer",
    description:
      "Longest wait for the rate budget in milliseconds (default 300000, a whole number from 0 to " +
      "86400000); a longer one fails the call at once, naming the limit and when it frees.",
  },
};

/** The config variables: every setting with its environment variable as the default. */
function configProperties(): Record<string, SchemaProperty> {
  return Object.fromEntries(
    (Object.keys(CONFIG) as ConfigSetting[]).map((s) => [
      s,
      { ...CONFIG[s], defaultInfo: { environment: [SETTINGS[s].envVar] } },
    ]),
  );
}

/** The properties of a webhook as the functions answer it (a resource's outputs but `adopt`). */
function webhookObjectProperties(): Record<string, SchemaProperty> {
  const inputs = WEBHOOK_INPUT_KEYS.filter((k) => k !== "adopt").map((k) => [
    k,
    k === "action" ? { type: "integer" as const, description: "The action number." } : INPUTS[k],
  ]);
  return Object.fromEntries([...inputs, ...COMPUTED_OUTPUT_KEYS.map((k) => [k, COMPUTED[k]])]);
}

const WEBHOOK_REQUIRED_OUTPUTS = [
  "businessId",
  "name",
  "action",
  "url",
  "active",
  "webhookId",
  "errorCount",
];

export { packageVersion };

/** The package schema, as an object. */
export function buildSchema(version = packageVersion()) {
  const config = configProperties();
  const webhook = webhookObjectProperties();
  return {
    name: PACKAGE,
    displayName: "Nexudus",
    version,
    description: "Nexudus webhooks as Pulumi resources.",
    keywords: ["pulumi", "nexudus", "webhooks", "category/utility", "kind/native"],
    homepage: "https://github.com/pulumi-nexudus/pulumi-nexudus#readme",
    license: "Apache-2.0",
    repository: "https://github.com/pulumi-nexudus/pulumi-nexudus",
    publisher: "pulumi-nexudus",
    config: { variables: config },
    provider: {
      description:
        "The nexudus provider: where and as whom it calls the Nexudus API. Every setting falls back to its " +
        "environment variable.",
      inputProperties: config,
      properties: Object.fromEntries(
        Object.entries(config).filter(([k]) => CONFIG[k as ConfigSetting].type === "string"),
      ),
    },
    types: {
      [ACTION_ENUM_TOKEN]: {
        type: "string",
        description:
          "The `eWebhookAction` enum of the Nexudus API, as its documentation spells it.",
        enum: ACTION_NAMES.map((name) => ({
          name,
          value: name,
          description: `${name} (${WebhookAction[name]}).`,
          ...(WebhookAction[name] === NONE_ACTION
            ? { deprecationMessage: "None fires for nothing: a WebHook refuses it." }
            : {}),
        })),
      },
      [WEBHOOK_TYPE_TOKEN]: {
        type: "object",
        description: "A webhook as Nexudus holds it.",
        properties: webhook,
        required: WEBHOOK_REQUIRED_OUTPUTS,
      },
      [HOOK_TYPE_TOKEN]: {
        type: "object",
        description: "One hook of a WebhookSet.",
        properties: HOOK,
        required: ["action"],
      },
      [KEEP_TYPE_TOKEN]: {
        type: "object",
        description: "Webhooks an exclusive WebhookSet keeps besides its own hooks.",
        properties: KEEP,
      },
      [MEMBER_TYPE_TOKEN]: {
        type: "object",
        description: "One hook of a WebhookSet as created.",
        properties: {
          webhookId: { type: "integer", description: "The Nexudus record id." },
          action: { type: "string", description: "The action name." },
          url: { type: "string", secret: true, description: "The target URL." },
          active: { type: "boolean", description: "Whether it fires." },
        },
        required: ["webhookId", "action", "url", "active"],
      },
      [ADOPTABLE_TYPE_TOKEN]: {
        type: "object",
        description: "A hook declared with `adopt`: the record it would take over.",
        properties: {
          action: { type: "integer", description: "The action number." },
          urlSha256: {
            type: "string",
            description: "Lower-case hex SHA-256 of the exact URL (never the URL itself).",
          },
        },
        required: ["action", "urlSha256"],
      },
      [UNMANAGED_TYPE_TOKEN]: {
        type: "object",
        description:
          "A webhook an exclusive set deletes or deleted (never its URL: it may be a credential).",
        properties: {
          id: { type: "integer", description: "The Nexudus record id." },
          name: { type: "string", description: "Its display Name." },
          action: {
            type: "string",
            description: "Its action name, or the number as a string if not in the enum.",
          },
        },
        required: ["id", "name", "action"],
      },
      [ACTION_INFO_TOKEN]: {
        type: "object",
        description: "One value of the webhook action enum.",
        properties: {
          name: { type: "string", description: 'The action name, e.g. "BookingCreate".' },
          value: { type: "integer", description: "The action number, e.g. 6." },
        },
        required: ["name", "value"],
      },
    },
    resources: {
      [WEBHOOK_TOKEN]: {
        description:
          "A Nexudus webhook: an HTTP POST to `url` whenever `action` happens at location `businessId`.",
        inputProperties: Object.fromEntries(WEBHOOK_INPUT_KEYS.map((k) => [k, INPUTS[k]])),
        requiredInputs: ["businessId", "name", "action", "url"],
        properties: {
          ...Object.fromEntries(
            WEBHOOK_INPUT_KEYS.map((k) => [
              k,
              k === "action" ? { type: "integer", description: "The action number." } : INPUTS[k],
            ]),
          ),
          ...Object.fromEntries(COMPUTED_OUTPUT_KEYS.map((k) => [k, COMPUTED[k]])),
        },
        required: [...WEBHOOK_REQUIRED_OUTPUTS, "adopt", "actionName"],
      },
      [EXCLUSION_TOKEN]: {
        description:
          "Deletes the webhooks at a location that no one declared: what makes a WebhookSet with `exclusive: true` " +
          "authoritative. A webhook is kept when its id is in `memberIds`, `keepIds` or `alsoKeepIds`, or its Name is " +
          "a `keepNamePrefixes` entry or starts with one followed by a space; every other one is listed in `unmanaged` " +
          "by the preview and deleted by `up`. Deleting this resource deletes nothing.",
        inputProperties: EXCLUSION,
        requiredInputs: ["businessId", "memberIds"],
        properties: { ...EXCLUSION, ...EXCLUSION_COMPUTED },
        required: [...Object.keys(EXCLUSION), ...Object.keys(EXCLUSION_COMPUTED)],
      },
      [SET_TOKEN]: {
        isComponent: true,
        description:
          "Several Nexudus webhooks of one location declared together: one child WebHook per hook (named " +
          "`<name>-<ActionName>`), and with `exclusive: true` a child WebhookSetExclusion. A multi-language " +
          "component: the plugin declares the children. Unlike the TypeScript class, it does not know the program's " +
          "other sets and WebHooks: an exclusive set keeps only its own hooks and `alsoKeep`, and says so in a " +
          "warning when it is declared.",
        inputProperties: SET,
        requiredInputs: ["businessId", "hooks"],
        properties: {
          webhookIds: {
            type: "array",
            items: { type: "integer" },
            description: "The Nexudus ids of the hooks, in the order of `hooks`.",
          },
          webhooks: {
            type: "object",
            additionalProperties: ref(MEMBER_TYPE_TOKEN),
            secret: true,
            description: "Every hook, keyed by child resource name (secret: it holds the URLs).",
          },
          namePrefix: { type: "string", description: "The Name prefix in use." },
        },
        required: ["webhookIds", "webhooks", "namePrefix"],
      },
    },
    functions: {
      [FUNCTIONS.getWebhook]: {
        description: "Reads one webhook by its id.",
        inputs: {
          properties: {
            webhookId: {
              type: "integer",
              description: "The Nexudus webhook id (a positive integer).",
            },
          },
          required: ["webhookId"],
        },
        outputs: { properties: webhook, required: WEBHOOK_REQUIRED_OUTPUTS },
      },
      [FUNCTIONS.getWebhooks]: {
        description:
          "Lists the webhooks of one location, read to the last page. Search rows carry no description " +
          "(it is null here; getWebhook reads it).",
        inputs: {
          properties: {
            businessId: { type: "integer", description: "The Nexudus location (business) id." },
            action: {
              ...ACTION_INPUT,
              description: "Only webhooks with this action (a name or its number).",
            },
            namePrefix: {
              type: "string",
              description: "Only webhooks whose name starts with this text.",
            },
            active: {
              type: "boolean",
              description: "Only active (true) or inactive (false) webhooks.",
            },
          },
          required: ["businessId"],
        },
        outputs: {
          properties: {
            webhooks: {
              type: "array",
              items: { $ref: `#/types/${WEBHOOK_TYPE_TOKEN}` },
              description: "The matching webhooks, by id.",
            },
          },
          required: ["webhooks"],
        },
      },
      [FUNCTIONS.getWebhookActions]: {
        description: "The webhook actions Nexudus knows (the eWebhookAction enum), in enum order.",
        outputs: {
          properties: {
            actions: {
              type: "array",
              items: { $ref: `#/types/${ACTION_INFO_TOKEN}` },
              description: "Every action name with its number.",
            },
          },
          required: ["actions"],
        },
      },
    },
    language: {
      nodejs: { packageName: "@pulumi-nexudus/nexudus" },
      python: { packageName: "pulumi_nexudus" },
      go: { importBasePath: "github.com/pulumi-nexudus/pulumi-nexudus/sdk/go/nexudus" },
      csharp: { rootNamespace: "PulumiNexudus" },
    },
  };
}

/** The schema as `schema.json` holds it (two-space JSON, a final newline). */
export function schemaText(version?: string): string {
  return `${JSON.stringify(buildSchema(version), null, 2)}\n`;
}
