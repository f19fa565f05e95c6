import { For, Show } from 'solid-js';
import type { Json } from '../lib/api-types';
import { formatValue } from '../lib/format';

/** The saved values in the template's order; secrets never come back, so they show as hidden. */
export function ConfigTable(props: {
  params: Record<string, Json>;
  parameters: { name: string; label: string; secret: boolean }[];
}) {
  const rows = () => {
    const known = props.parameters.map((p) => ({ ...p, value: props.params[p.name] }));
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
