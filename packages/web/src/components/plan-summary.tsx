import { createSignal, createUniqueId, For, type JSX, Show } from 'solid-js';
import type { AttributeChange, ResourceChange, PlanSummary as Summary } from '../lib/api-types';

/** "create", "update", "delete", and "replace" for a delete + create. */
export function actionLabel(actions: string[]): string {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  return actions.join(', ') || 'no-op';
}

/** One side of an attribute: its JSON text, or why it is not shown. */
function Value(props: {
  text: string | null;
  sensitive: boolean;
  unknown?: boolean;
  side: 'before' | 'after';
}) {
  return (
    <Show
      when={!props.sensitive}
      fallback={
        <span class="value-masked" title="Sensitive: tofu never shows it, and neither does SpawnIt">
          (sensitive value)
        </span>
      }
    >
      <Show when={!props.unknown} fallback={<span class="value-unknown">(known after apply)</span>}>
        <Show
          when={props.text !== null}
          fallback={<span class="value-none">{props.side === 'before' ? '—' : '(removed)'}</span>}
        >
          <code>{props.text}</code>
        </Show>
      </Show>
    </Show>
  );
}

function AttributeRows(props: { attributes: AttributeChange[] }) {
  return (
    <table class="diff">
      <colgroup>
        <col class="diff-path-column" />
        <col />
        <col class="diff-arrow-column" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Attribute</th>
          <th scope="col">Before</th>
          <td />
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        <For each={props.attributes}>
          {(a) => (
            <tr>
              <th scope="row">
                <code>{a.path || 'value'}</code>
                <Show when={a.forcesReplacement}>
                  {' '}
                  <span class="forces-replacement">forces replacement</span>
                </Show>
              </th>
              <td class="diff-before">
                <Value text={a.before} sensitive={a.beforeSensitive} side="before" />
              </td>
              <td class="diff-arrow" aria-hidden="true">
                →
              </td>
              <td class="diff-after">
                <Value text={a.after} sensitive={a.afterSensitive} unknown={a.afterUnknown} side="after" />
              </td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}

/**
 * Each resource a plan touches, collapsed to one line (action, address, how many attributes change); opened,
 * the attributes before -> after, like the run page of HCP Terraform.
 */
export function ResourceDiff(props: {
  caption: string;
  changes: ResourceChange[];
  open?: boolean;
  /** What to say where a change has no attributes listed. @default the plan was too large */
  unlisted?: JSX.Element;
}) {
  const id = createUniqueId();
  return (
    <Show when={props.changes.length > 0}>
      <h3 id={id}>{props.caption}</h3>
      <ul class="resource-diffs" aria-labelledby={id}>
        <For each={props.changes}>
          {(change) => (
            <li>
              <details class="resource-diff" open={props.open}>
                <summary>
                  <span class={`action action-${actionLabel(change.actions)}`}>
                    {actionLabel(change.actions)}
                  </span>{' '}
                  <code class="address">{change.address}</code>
                  <Show when={change.attributes}>
                    {(attributes) => (
                      <span class="hint">
                        {' '}
                        {attributes().length} {attributes().length === 1 ? 'attribute' : 'attributes'}
                      </span>
                    )}
                  </Show>
                </summary>
                <Show
                  when={change.attributes}
                  fallback={
                    <p class="hint">
                      {props.unlisted ?? 'This plan is too large to list the attributes of every resource.'}
                    </p>
                  }
                >
                  {(attributes) => (
                    <Show
                      when={attributes().length > 0}
                      fallback={<p class="hint">No attribute changes value.</p>}
                    >
                      <AttributeRows attributes={attributes()} />
                    </Show>
                  )}
                </Show>
              </details>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

/** What a plan changes: the counts as tofu gives them, then each resource's diff. */
export function PlanSummary(props: { summary: Summary; title?: string; unlisted?: JSX.Element }) {
  const [expanded, setExpanded] = createSignal<boolean | undefined>(undefined);
  return (
    <section class="plan-summary" aria-labelledby="plan-summary-title">
      <div class="section-head">
        <h2 id="plan-summary-title">{props.title ?? 'Plan'}</h2>
        <Show
          when={
            props.summary.resources.length + props.summary.outputs.length + props.summary.drift.length > 1
          }
        >
          <button type="button" class="button button-small" onClick={() => setExpanded(!expanded())}>
            {expanded() ? 'Collapse all' : 'Expand all'}
          </button>
        </Show>
      </div>
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
      <ResourceDiff
        caption="Resources"
        changes={props.summary.resources}
        open={expanded()}
        unlisted={props.unlisted}
      />
      <ResourceDiff
        caption="Outputs"
        changes={props.summary.outputs}
        open={expanded()}
        unlisted={props.unlisted}
      />
      <ResourceDiff
        caption="Changed outside SpawnIt"
        changes={props.summary.drift}
        open={expanded()}
        unlisted={props.unlisted}
      />
    </section>
  );
}
