import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createMutation, createQuery, gql } from '@urql/solid';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { ErrorSummary } from '../components/error-summary';
import { ListTable } from '../components/list-table';
import { ErrorNotice, Loaded } from '../components/notices';
import { ParameterFields } from '../components/parameter-field';
import { PROVIDER_LABELS, type Provider, type ValidationErrors } from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { createParameterForm, keepFocus } from '../lib/create-parameter-form';
import { formatDateTime } from '../lib/format';
import { ValidationErrorsFields } from '../lib/fragments';
import { networkHref } from '../lib/links';
import { createNetworkTemplateQuery } from '../lib/network-template';
import { checkSlug, conflictAsRefusal } from '../lib/parameter-form';
import { suggestNetworkName } from '../lib/suggest-network-name';

const NetworksQuery = gql`
  query Networks {
    networks {
      name
      provider
      deployed
      createdAt
      services {
        id
      }
    }
  }
`;

const CreateNetworkMutation = gql`
  mutation CreateNetwork($input: CreateNetworkInput!) {
    createNetwork(input: $input) {
      __typename
      ... on Network {
        name
        provider
      }
      ...ValidationErrorsFields
    }
  }
  ${ValidationErrorsFields}
`;

interface NetworkRow {
  name: string;
  provider: Provider;
  deployed: boolean;
  createdAt: string;
  services: { id: string }[];
}

type CreateNetworkResult =
  | { __typename: 'Network'; name: string; provider: Provider }
  | ({ __typename: 'ValidationErrors' } & ValidationErrors);

const PROVIDERS: Provider[] = ['LOCAL', 'AWS'];

/** The user's networks, and the form to add one (prefilled from `?provider=&name=`, as a failed plan links). */
export function NetworksPage() {
  createPageTitle(() => 'Networks');
  const [networks, refetch] = createQuery<{ networks: NetworkRow[] }>({
    query: NetworksQuery,
    requestPolicy: 'cache-and-network',
  });

  return (
    <>
      <h1>Networks</h1>
      <p class="lead">
        A service sits on a network of its provider; create and apply the network before planning the service.
      </p>
      <Loaded query={networks} what="your networks" retry={refetch} label="Loading your networks…">
        <ListTable
          columns={['Network', 'Provider', 'State', 'Services', 'Created']}
          rows={networks.data?.networks}
          empty={<p class="empty">You have no networks yet.</p>}
        >
          {(network) => (
            <tr>
              <td>
                <A href={networkHref(network.provider, network.name)}>{network.name}</A>
              </td>
              <td>{PROVIDER_LABELS[network.provider]}</td>
              <td>
                <span class={`badge ${network.deployed ? 'badge-ok' : 'badge-idle'}`}>
                  {network.deployed ? 'deployed' : 'not deployed'}
                </span>
              </td>
              <td>{network.services.map((s) => s.id).join(', ') || '—'}</td>
              <td>{formatDateTime(network.createdAt)}</td>
            </tr>
          )}
        </ListTable>
      </Loaded>
      <NewNetworkForm networks={networks.data?.networks} />
    </>
  );
}

function NewNetworkForm(props: { networks: NetworkRow[] | undefined }) {
  const [search] = useSearchParams<{ provider?: string; name?: string }>();
  const navigate = useNavigate();
  const initialProvider = PROVIDERS.find((p) => p === search.provider) ?? 'LOCAL';
  const [provider, setProvider] = createSignal<Provider>(initialProvider);
  const [name, setName] = createSignal(search.name ?? 'default');
  const [nameTyped, setNameTyped] = createSignal(false);
  // A name that exists already is never offered: it would only be refused.
  createEffect(() => {
    const taken = props.networks?.filter((n) => n.provider === provider()).map((n) => n.name);
    if (taken && !nameTyped()) setName(suggestNetworkName(taken, [search.name, 'default']));
  });
  const [template, refetchTemplate] = createNetworkTemplateQuery(provider);
  const [created, createNetwork] = createMutation<{ createNetwork: CreateNetworkResult }>(
    CreateNetworkMutation,
  );

  const form = createParameterForm({
    parameters: () => template.data?.networkTemplate?.parameters ?? [],
    provider,
    idPrefix: 'network-param',
    labels: { networkName: 'Name', provider: 'Provider' },
    checks: { networkName: () => checkSlug('Name', name().trim()) },
  });
  const errors = form.errors;
  createEffect(
    on(
      () => template.data?.networkTemplate?.id,
      () => form.reset(),
    ),
  );

  const fieldIdOf = (field: string) => {
    if (field === 'networkName' || field === 'provider') return `network-${field}`;
    return form.fieldIdOf(field);
  };

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    if (!form.check()) return;
    form.setRefusal(undefined);
    const result = await createNetwork({
      input: { networkName: name().trim(), provider: provider(), params: form.params() },
    });
    const outcome = result.data?.createNetwork;
    if (outcome?.__typename === 'Network') navigate(networkHref(outcome.provider, outcome.name));
    else if (outcome?.__typename === 'ValidationErrors') form.setRefusal(outcome);
    else form.setRefusal(conflictAsRefusal(result.error, 'networkName'));
  }

  return (
    <section aria-labelledby="new-network-title">
      <h2 id="new-network-title">New network</h2>
      <form class="form" onSubmit={submit} novalidate>
        <ErrorSummary refusal={form.refusal()} fieldIdOf={fieldIdOf} />
        <ErrorNotice
          error={conflictAsRefusal(created.error, 'networkName') ? undefined : created.error}
          what={`Could not create network “${name().trim()}”`}
        />
        <ErrorNotice
          error={template.error}
          what={`Could not load the ${PROVIDER_LABELS[provider()]} network’s settings`}
          retry={() => refetchTemplate({ requestPolicy: 'network-only' })}
          retrying={template.fetching}
        />
        <div class="field-row">
          <div class={`field${errors().provider ? ' field-invalid' : ''}`}>
            <label for="network-provider">Provider</label>
            <select
              id="network-provider"
              name="provider"
              value={provider()}
              onChange={(event) => setProvider(event.currentTarget.value as Provider)}
            >
              <For each={PROVIDERS}>{(p) => <option value={p}>{PROVIDER_LABELS[p]}</option>}</For>
            </select>
            <Show when={errors().provider}>
              <p class="field-error">{errors().provider}</p>
            </Show>
          </div>
          <div class={`field${errors().networkName ? ' field-invalid' : ''}`}>
            <label for="network-networkName">
              Name<span class="required"> (required)</span>
            </label>
            <input
              id="network-networkName"
              name="networkName"
              value={name()}
              onInput={(event) => {
                setNameTyped(true);
                setName(event.currentTarget.value);
                form.changed('networkName');
              }}
              onBlur={() => form.touch('networkName')}
              required
              maxLength={40}
              autocomplete="off"
              autocapitalize="none"
              spellcheck={false}
              aria-describedby={`network-networkName-hint${errors().networkName ? ' network-networkName-error' : ''}`}
              aria-invalid={errors().networkName ? true : undefined}
            />
            <p class="hint" id="network-networkName-hint">
              2-40 lowercase letters, digits and single hyphens, starting with a letter.
            </p>
            <Show when={errors().networkName}>
              <p class="field-error" id="network-networkName-error">
                {errors().networkName}
              </p>
            </Show>
          </div>
        </div>
        <Show when={template.data?.networkTemplate}>{(t) => <p class="hint">{t().description}</p>}</Show>
        <ParameterFields form={form} />
        <div class="actions">
          <button
            type="submit"
            class="button button-primary"
            disabled={created.fetching || template.fetching}
            onMouseDown={keepFocus}
          >
            {created.fetching ? 'Saving…' : form.submitLabel('Create network')}
          </button>
        </div>
      </form>
    </section>
  );
}
