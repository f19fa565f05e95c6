import { createQuery, gql } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import type { Output } from '../lib/api-types';
import { formatValue } from '../lib/format';
import { CopyButton } from './copy-button';
import { Loaded } from './notices';

const ServiceOutputsQuery = gql`
  query ServiceOutputs($id: ID!, $reveal: Boolean!) {
    service(id: $id) {
      id
      deployed
      outputs(reveal: $reveal) {
        name
        description
        sensitive
        value
      }
    }
  }
`;

/**
 * What a deployed service reports. A sensitive value is fetched only when the owner clicks "Reveal" on it,
 * and hidden again with "Hide".
 */
export function OutputsTable(props: { serviceId: string }) {
  const [shown, setShown] = createSignal<ReadonlySet<string>>(new Set());
  const [outputs, refetchOutputs] = createQuery<
    { service: { id: string; deployed: boolean; outputs: Output[] } | null },
    { id: string; reveal: boolean }
  >({
    query: ServiceOutputsQuery,
    variables: () => ({ id: props.serviceId, reveal: shown().size > 0 }),
    requestPolicy: 'cache-and-network',
  });
  const list = () => outputs.data?.service?.outputs ?? [];
  const toggle = (name: string) => {
    const next = new Set(shown());
    if (!next.delete(name)) next.add(name);
    setShown(next);
  };

  return (
    <section class="outputs" aria-labelledby="outputs-title">
      <h2 id="outputs-title">Outputs</h2>
      <Loaded query={outputs} what={`the outputs of service “${props.serviceId}”`} retry={refetchOutputs}>
        <Show
          when={list().length > 0}
          fallback={
            <p class="empty">
              {outputs.data?.service?.deployed
                ? 'This service reports no outputs.'
                : 'Nothing is deployed yet, so there are no outputs.'}
            </p>
          }
        >
          <table class="kv">
            <tbody>
              <For each={list()}>
                {(output) => {
                  const visible = () => !output.sensitive || shown().has(output.name);
                  return (
                    <tr>
                      <th scope="row">
                        {output.name}
                        <Show when={output.description}>
                          <span class="hint">{output.description}</span>
                        </Show>
                      </th>
                      <td>
                        <Show when={visible()} fallback={<span class="masked">•••••••• (sensitive)</span>}>
                          <Show when={output.value !== null || !output.sensitive} fallback={<span>…</span>}>
                            <code class="output-value">{formatValue(output.value)}</code>
                          </Show>
                        </Show>
                        <Show when={visible() && output.value !== null}>
                          {' '}
                          <CopyButton text={() => formatValue(output.value)} label={`Copy ${output.name}`} />
                        </Show>
                        <Show when={output.sensitive}>
                          {' '}
                          <button
                            type="button"
                            class="button button-small"
                            aria-label={`${visible() ? 'Hide' : 'Reveal'} ${output.name}`}
                            onClick={() => toggle(output.name)}
                          >
                            {visible() ? 'Hide' : 'Reveal'}
                          </button>
                        </Show>
                      </td>
                    </tr>
                  );
                }}
              </For>
            </tbody>
          </table>
        </Show>
      </Loaded>
    </section>
  );
}
