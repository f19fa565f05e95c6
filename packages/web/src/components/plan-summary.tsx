import { For, Show } from 'solid-js';
import type { ResourceChange, PlanSummary as Summary } from '../lib/api-types';

/** "create", "update", "delete", and "replace" for a delete + create. */
function actionLabel(actions: string[]): string {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  return actions.join(', ') || 'no-op';
}

function ChangeTable(props: { caption: string; changes: ResourceChange[] }) {
  return (
    <Show when={props.changes.length > 0}>
      <table class="changes">
        <caption>{props.caption}</caption>
        <colgroup>
          <col class="action-column" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Address</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.changes}>
            {(change) => (
              <tr>
                <td>
                  <span class={`action action-${actionLabel(change.actions)}`}>
                    {actionLabel(change.actions)}
                  </span>
                </td>
                <td>
                  <code>{change.address}</code>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}

/** What a plan changes: the counts as tofu gives them, then each resource with its actions. */
export function PlanSummary(props: { summary: Summary; title?: string }) {
  return (
    <section class="plan-summary" aria-labelledby="plan-summary-title">
      <h2 id="plan-summary-title">{props.title ?? 'Plan'}</h2>
      <ul class="counts" aria-label="Counts">
        <li class="count count-add">
          <strong>{props.summary.add}</strong> to add
        </li>
        <li class="count count-change">
          <strong>{props.summary.change}</strong> to change
        </li>
        <li class="count count-destroy">
          <strong>{props.summary.destroy}</strong> to destroy
        </li>
      </ul>
      <ChangeTable caption="Resources" changes={props.summary.resources} />
      <ChangeTable caption="Outputs" changes={props.summary.outputs} />
      <ChangeTable caption="Changed outside SpawnIt" changes={props.summary.drift} />
    </section>
  );
}
