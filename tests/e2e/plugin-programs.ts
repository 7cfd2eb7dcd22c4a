/**
 * For the programs in other languages than JavaScript (tests/e2e/python.test.ts, yaml.test.ts),
 * with the plugin installed by testing/pulumiCli.ts `installPlugin`: the one life cycle each
 * program goes through against the emulator: a preview that makes no API call, up (the webhook exists in the emulator,
 * its URL secret in state), a no-change preview, destroy (the webhook is gone).
 */
import type { EmulatorHandle } from "../../emulator";
import { recordFigures } from "../../testing/figures";
import { parseJson, type PreviewJson, type PulumiSession } from "../../testing/pulumiCli";

export const WEBHOOK = "nexudus:index:WebHook";

export interface Expected {
  /** The Pulumi name of the WebHook resource the program declares. */
  resource: string;
  /** Its Nexudus name. */
  name: string;
  businessId: number;
  /** The secret URL (never in state in clear). */
  url: string;
  /** The API's action number of the declared action. */
  actionNumber: number;
  /** More checks once the program is up (e.g. a WebhookSet it also declares). */
  afterUp?: (outputs: Record<string, unknown>) => void;
}

/** What the emulator holds of the webhooks named `name`. */
function hooksNamed(emulator: EmulatorHandle, name: string) {
  return emulator.records().filter((r) => r.Name === name);
}

/**
 * preview (0 API calls), up, no-change preview, destroy; `dir` has a stack `dev` selected. The
 * figures are recorded under `language`.
 */
export async function lifeCycle(
  language: string,
  pulumi: PulumiSession,
  dir: string,
  emulator: EmulatorHandle,
  expected: Expected,
): Promise<void> {
  emulator.clearRequests();
  const preview = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
  const creates = (preview.steps ?? []).filter((s) => s.op === "create");
  expect(creates.map((s) => s.urn.split("::").slice(-2).join("::"))).toContain(
    `${WEBHOOK}::${expected.resource}`,
  );
  // The preview checked the inputs in the plugin without asking the API.
  const previewCalls = emulator.requests().length;
  expect(emulator.requests()).toEqual([]);

  await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
  const made = hooksNamed(emulator, expected.name);
  expect(made).toHaveLength(1);
  expect(made[0]).toMatchObject({
    BusinessId: expected.businessId,
    URL: expected.url,
    Action: expected.actionNumber,
  });
  const outputs = parseJson<Record<string, unknown>>(
    await pulumi.ok(dir, ["stack", "output", "--json"]),
  );
  expect(outputs.webhookId).toBe(made[0]!.Id);
  expected.afterUp?.(outputs);
  const state = (await pulumi.ok(dir, ["stack", "export"])).stdout;
  expect(state).toContain(`"type": "${WEBHOOK}"`);
  expect(state).not.toContain(expected.url);

  const again = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
  expect((again.steps ?? []).filter((s) => s.op !== "same")).toEqual([]);

  const changes = (again.steps ?? []).filter((s) => s.op !== "same").length;

  await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
  const left = hooksNamed(emulator, expected.name).length;
  expect(left).toBe(0);
  recordFigures(`${language} program through the nexudus plugin`, {
    "API calls in the first preview": previewCalls,
    "webhooks after up": made.length,
    "steps in the no-change preview": changes,
    "URL in clear in state": state.includes(expected.url) ? 1 : 0,
    "webhooks after destroy": left,
  });
}
