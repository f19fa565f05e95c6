/** One resource a plan touches, e.g. `module.this.terraform_data.app` with `["update"]`. */
export interface ResourceChange {
  address: string;
  actions: string[];
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

interface ShowJson {
  resource_changes?: { address: string; change: { actions: string[] } }[];
  resource_drift?: { address: string; change: { actions: string[] } }[];
  output_changes?: Record<string, { actions: string[] }>;
}

const isChange = (actions: string[]) => !actions.every((a) => a === 'no-op' || a === 'read');

/** Reads the summary from `show -json <planfile>`: the same counts tofu prints as "Plan: X to add...". */
export function summarizePlan(showJson: string): PlanSummary {
  const plan = JSON.parse(showJson) as ShowJson;
  const resources = (plan.resource_changes ?? [])
    .filter((r) => isChange(r.change.actions))
    .map((r) => ({ address: r.address, actions: r.change.actions }));
  const drift = (plan.resource_drift ?? []).map((r) => ({ address: r.address, actions: r.change.actions }));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => isChange(c.actions))
    .map(([name, c]) => ({ address: `output.${name}`, actions: c.actions }));
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
