import { createQuery, gql } from '@urql/solid';
import { For } from 'solid-js';

const SystemQuery = gql`
  query SystemWarnings {
    system {
      warnings
    }
  }
`;

/** What SpawnIt runs without (Docker not answering, say), on every page until it is fixed. */
export function SystemNotices() {
  const [system] = createQuery<{ system: { warnings: string[] } }>({ query: SystemQuery });
  return (
    <For each={system.data?.system.warnings ?? []}>
      {(warning) => (
        <div class="notice notice-warning" role="status">
          <p>{warning}</p>
        </div>
      )}
    </For>
  );
}
