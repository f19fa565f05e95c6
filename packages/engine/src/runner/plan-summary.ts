/** One attribute a change touches, e.g. `input.message` going from `"one"` to `"two"`. */
export interface AttributeChange {
  /** Where it sits in the resource, e.g. `input.message`, `ports[0].external`; `""` for an output's value. */
  path: string;
  /** The value before, as JSON text; absent when it did not exist or is sensitive. */
  before?: string;
  /** The value after, as JSON text; absent when it goes away, is sensitive or is known only after apply. */
  after?: string;
  /** The value before is sensitive: never stored, shown masked. */
  beforeSensitive?: boolean;
  /** The value after is sensitive: never stored, shown masked. */
  afterSensitive?: boolean;
  /** The value after is known only once the apply ran (an id the provider picks...). */
  afterUnknown?: boolean;
  /** Changing it makes tofu replace the resource. */
  forcesReplacement?: boolean;
}

/** One resource a plan touches, e.g. `module.this.terraform_data.app` with `["update"]`. */
export interface ResourceChange {
  address: string;
  actions: string[];
  /** What changes, attribute by attribute (left out past the limits of `summarizePlan`). */
  attributes?: AttributeChange[];
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** Resources the plan changes (no-ops and reads left out). */
  resources: ResourceChange[];
  /** Changes made outside SpawnIt that the refresh found. */
  drift: ResourceChange[];
  /** Outputs whose value changes. */
  outputs: ResourceChange[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Change {
  actions: string[];
  before?: Json;
  after?: Json;
  after_unknown?: Json;
  before_sensitive?: Json;
  after_sensitive?: Json;
  replace_paths?: (string | number)[][];
}

interface ShowJson {
  resource_changes?: { address: string; change: Change }[];
  resource_drift?: { address: string; change: Change }[];
  output_changes?: Record<string, Change>;
}

export interface SummarizeOptions {
  /** Strings masked wherever they appear in a value (secret parameters). @default none */
  secrets?: readonly string[];
  /** Resources (and outputs) whose attributes are listed; the rest keep only their actions. @default 200 */
  maxDiffs?: number;
  /** Attributes listed per resource. @default 100 */
  maxAttributes?: number;
  /** Characters kept of one value. @default 1_000 */
  maxValueLength?: number;
}

const isChange = (actions: string[]) => !actions.every((a) => a === 'no-op' || a === 'read');
const isObject = (v: Json | undefined): v is Record<string, Json> | Json[] =>
  typeof v === 'object' && v !== null;

/** The child of a before/after/sensitive/unknown tree; `true` on a container covers all it holds. */
function child(tree: Json | undefined, key: string | number): Json | undefined {
  if (tree === true) return true;
  if (!isObject(tree)) return undefined;
  return (tree as Record<string, Json>)[key as string];
}

const joinPath = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function keysOf(...values: (Json | undefined)[]): (string | number)[] {
  const keys = new Set<string | number>();
  for (const value of values) {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) keys.add(i);
    else if (isObject(value)) for (const key of Object.keys(value)) keys.add(key);
  }
  return [...keys];
}

/**
 * The attributes that differ between `before` and `after`, as leaves. Sensitive values never leave this
 * function: only the flag does.
 */
function diffAttributes(change: Change, options: Required<SummarizeOptions>): AttributeChange[] {
  const out: AttributeChange[] = [];
  const replacing = new Set((change.replace_paths ?? []).map((p) => p.reduce<string>(joinPath, '')));
  const render = (value: Json | undefined) => {
    if (value === undefined || value === null) return undefined;
    let text = JSON.stringify(value);
    for (const secret of options.secrets) text = text.split(secret).join('(sensitive value)');
    return text.length > options.maxValueLength ? `${text.slice(0, options.maxValueLength)}…` : text;
  };
  const walk = (
    path: string,
    before: Json | undefined,
    after: Json | undefined,
    unknown: Json | undefined,
    beforeSensitive: Json | undefined,
    afterSensitive: Json | undefined,
  ) => {
    if (out.length >= options.maxAttributes) return;
    const sensitive = beforeSensitive === true || afterSensitive === true;
    // Go down while there is structure on either side, unless a whole side is sensitive or unknown.
    if (!sensitive && unknown !== true && (isObject(before) || isObject(after) || isObject(unknown))) {
      const keys = keysOf(before, after, unknown);
      if (keys.length > 0) {
        for (const key of keys) {
          walk(
            joinPath(path, key),
            child(before, key),
            child(after, key),
            child(unknown, key),
            child(beforeSensitive, key),
            child(afterSensitive, key),
          );
        }
        return;
      }
    }
    const afterUnknown = unknown === true;
    const same = !afterUnknown && JSON.stringify(before ?? null) === JSON.stringify(after ?? null);
    // A sensitive value that may have changed is listed: tofu cannot say, and neither can we.
    if (same && !sensitive) return;
    if (same && sensitive && beforeSensitive === true && afterSensitive === true) return;
    if ((before ?? null) === null && (after ?? null) === null && !afterUnknown) return;
    const entry: AttributeChange = { path };
    if (beforeSensitive === true && before !== undefined && before !== null) entry.beforeSensitive = true;
    else if (render(before) !== undefined) entry.before = render(before);
    if (afterUnknown) entry.afterUnknown = true;
    else if (afterSensitive === true && after !== undefined && after !== null) entry.afterSensitive = true;
    else if (render(after) !== undefined) entry.after = render(after);
    if (replacing.has(path)) entry.forcesReplacement = true;
    out.push(entry);
  };
  walk(
    '',
    change.before ?? undefined,
    change.after ?? undefined,
    change.after_unknown ?? undefined,
    change.before_sensitive ?? undefined,
    change.after_sensitive ?? undefined,
  );
  return out;
}

/**
 * Reads the summary from `show -json <planfile>`: the same counts tofu prints as "Plan: X to add...", and
 * for each resource the attributes that change, before -> after, sensitive values masked.
 */
export function summarizePlan(showJson: string, options: SummarizeOptions = {}): PlanSummary {
  const settings: Required<SummarizeOptions> = {
    secrets: (options.secrets ?? []).filter((s) => s.length > 0),
    maxDiffs: options.maxDiffs ?? 200,
    maxAttributes: options.maxAttributes ?? 100,
    maxValueLength: options.maxValueLength ?? 1_000,
  };
  const plan = JSON.parse(showJson) as ShowJson;
  let diffs = 0;
  const describe = (address: string, change: Change): ResourceChange => {
    const entry: ResourceChange = { address, actions: change.actions };
    if (diffs++ < settings.maxDiffs) entry.attributes = diffAttributes(change, settings);
    return entry;
  };
  const resources = (plan.resource_changes ?? [])
    .filter((r) => isChange(r.change.actions))
    .map((r) => describe(r.address, r.change));
  const drift = (plan.resource_drift ?? []).map((r) => describe(r.address, r.change));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => isChange(c.actions))
    .map(([name, c]) => describe(`output.${name}`, c));
  let add = 0;
  let change = 0;
  let destroy = 0;
  for (const { actions } of resources) {
    if (actions.includes('create')) add++;
    if (actions.includes('delete')) destroy++;
    if (actions.includes('update')) change++;
  }
  return { add, change, destroy, resources, drift, outputs };
}

/**
 * The summary without its attribute values, for what is kept in clear outside the job's own history (a
 * saved plan's record, a service's status): the values stay in the job record and log, shown to the owner.
 */
export function withoutAttributes(summary: PlanSummary): PlanSummary;
export function withoutAttributes(summary: PlanSummary | undefined): PlanSummary | undefined;
export function withoutAttributes(summary: PlanSummary | undefined): PlanSummary | undefined {
  if (!summary) return summary;
  const strip = (changes: ResourceChange[]) => changes.map(({ address, actions }) => ({ address, actions }));
  return {
    ...summary,
    resources: strip(summary.resources),
    drift: strip(summary.drift),
    outputs: strip(summary.outputs),
  };
}
