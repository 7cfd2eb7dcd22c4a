/**
 * Properties of planWebhookSet over generated sets (fast-check): what must hold for every valid
 * set, not only for the examples of wiring.test.ts. The generated sets are valid by construction:
 * a few actions and URLs so that actions repeat, hooks on the set's default url or their own,
 * with or without keys (unique within an action, as the plan requires).
 */
import fc from "fast-check";
import { actionNumber, type WebhookActionName } from "../../client/actions";
import { planWebhookSet, type PlannedWebhook } from "../../provider/setPlan";
import type { WebhookSetHook } from "../../provider/setArgs";

/** Runs per property: enough to meet repeated actions, keys and heirs, quick (a plan is µs). */
const NUM_RUNS = 300;

const ACTIONS: WebhookActionName[] = ["BookingCreate", "BookingUpdate", "TeamCreated"];
const URLS = [0, 1, 2, 3].map((i) => `https://hooks${i}.example.com/nexudus`);
const DEFAULT_URL = "https://default.example.com/hook";
const KEYS = ["a", "b", "blue", "k-1", "v2.0"];

interface HookSpec {
  action: WebhookActionName;
  /** undefined: the set's default url. */
  url: string | undefined;
  key: string | undefined;
  /** How a hook with neither url nor key is written: the action's name or its number. */
  shorthand: "name" | "number";
}

const hookSpec: fc.Arbitrary<HookSpec> = fc.record({
  action: fc.constantFrom(...ACTIONS),
  url: fc.option(fc.constantFrom(...URLS), { nil: undefined }),
  key: fc.option(fc.constantFrom(...KEYS), { nil: undefined }),
  shorthand: fc.constantFrom("name" as const, "number" as const),
});

/** A valid set: no action twice with one URL, no key twice within an action. */
const setArb = fc.record({
  setName: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
  specs: fc
    .uniqueArray(hookSpec, { selector: (h) => `${h.action} ${h.url ?? ""}`, maxLength: 9 })
    .map((specs) => {
      const seen = new Set<string>();
      return specs.map((h) => {
        const id = `${h.action} ${h.key}`;
        if (h.key === undefined || !seen.has(id)) {
          seen.add(id);
          return h;
        }
        return { ...h, key: undefined };
      });
    }),
});

function hookOf(h: HookSpec): WebhookSetHook {
  if (h.url === undefined && h.key === undefined) {
    return h.shorthand === "name" ? h.action : actionNumber(h.action)!;
  }
  return {
    action: h.action,
    ...(h.url !== undefined ? { url: h.url } : {}),
    ...(h.key !== undefined ? { key: h.key } : {}),
  };
}

function plan(setName: string, specs: HookSpec[]): PlannedWebhook[] {
  return planWebhookSet(setName, { businessId: 1234, url: DEFAULT_URL, hooks: specs.map(hookOf) });
}

/** Child name of each hook, by the hook's position in `specs`. */
function namesByHook(planned: PlannedWebhook[]): string[] {
  const names: string[] = [];
  for (const p of planned) names[p.index] = p.childName;
  return names;
}

/** A valid set and one more value drawn from its hooks (an order, a position). */
function setWith<T>(more: (specs: HookSpec[]) => fc.Arbitrary<T>) {
  return setArb.chain(({ setName, specs }) =>
    more(specs).map((extra) => ({ setName, specs, extra })),
  );
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("planWebhookSet properties", () => {
  test("hook order never changes child names", () => {
    fc.assert(
      fc.property(
        setWith((specs) =>
          fc.shuffledSubarray(
            specs.map((_, i) => i),
            { minLength: specs.length, maxLength: specs.length },
          ),
        ),
        ({ setName, specs, extra: order }) => {
          const before = namesByHook(plan(setName, specs));
          const after = namesByHook(
            plan(
              setName,
              order.map((i) => specs[i]!),
            ),
          );
          expect(order.map((i) => before[i])).toEqual(after);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test("names are unique; no alias is a current name or claimed twice", () => {
    fc.assert(
      fc.property(setArb, ({ setName, specs }) => {
        const planned = plan(setName, specs);
        expect(planned).toHaveLength(specs.length);
        const names = planned.map((p) => p.childName);
        expect(new Set(names).size).toBe(names.length);
        const aliases = planned.flatMap((p) => p.aliases);
        expect(new Set(aliases).size).toBe(aliases.length);
        expect(aliases.filter((a) => names.includes(a))).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("names and aliases are valid Pulumi names of the hook's own action", () => {
    fc.assert(
      fc.property(setArb, ({ setName, specs }) => {
        for (const p of plan(setName, specs)) {
          // `<set>-<Action>`, then a key or an 8-hex-digit URL hash; nothing that could break a
          // URN (no "::", no white space or control characters).
          const form = new RegExp(
            `^${escape(setName)}-${p.actionName}(-[A-Za-z0-9][A-Za-z0-9_.-]{0,39})?$`,
          );
          for (const name of [p.childName, ...p.aliases]) {
            expect(name).toMatch(form);
            expect(name).not.toMatch(/::|[\s\p{Cc}]/u);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("a hook whose action drops to one hook answers to its former name", () => {
    fc.assert(
      fc.property(
        setWith((specs) => fc.nat({ max: Math.max(0, specs.length - 1) })),
        ({ setName, specs, extra: pick }) => {
          fc.pre(specs.length > 0);
          const kept = specs[pick]!;
          const before = namesByHook(plan(setName, specs))[pick]!;
          const remaining = specs.filter((h, i) => i === pick || h.action !== kept.action);
          const now = plan(setName, remaining).find((p) => remaining[p.index] === kept)!;
          expect(now.childName).toBe(`${setName}-${kept.action}`);
          if (before !== now.childName) expect(now.aliases).toContain(before);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
