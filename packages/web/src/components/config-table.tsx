import { For, Show } from 'solid-js';
import type { Json, Provider } from '../lib/api-types';
import { formatValue } from '../lib/format';
import { fieldsFor } from '../lib/parameter-form';

/**
 * The saved values in the template's order, only the ones of the target's provider (no AWS-only rows on a
 * local service); secrets never come back, so they show as hidden.
 */
export function ConfigTable(props: {
  params: Record<string, Json>;
  parameters: { name: string; label: string; secret: boolean; providers: Provider[] }[];
  provider: Provider;
}) {
  const rows = () => {
    const known = fieldsFor(props.parameters, props.provider).map((p) => ({
      ...p,
      value: props.params[p.name],
    }));
    const extra = Object.keys(props.params)
      .filter((name) => !props.parameters.some((p) => p.name === name))
      .map((name) => ({ name, label: name, secret: false, value: props.params[name] }));
    return [...known, ...extra];
  };
  return (
    <table class="kv">
      <tbody>
        <For each={rows()}>
          {(row) => (
            <tr>
              <th scope="row">{row.label}</th>
              <td>
                <Show when={!row.secret} fallback={<span class="masked">•••••••• (secret, hidden)</span>}>
                  <code>{formatValue(row.value)}</code>
                </Show>
              </td>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}
