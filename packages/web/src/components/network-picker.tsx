import { createMutation, createQuery, gql } from '@urql/solid';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { PROVIDER_LABELS, type Provider, type ValidationErrors } from '../lib/api-types';
import { createParameterForm } from '../lib/create-parameter-form';
import { networkHref } from '../lib/links';
import { createNetworkTemplateQuery } from '../lib/network-template';
import { suggestNetworkName } from '../lib/suggest-network-name';
import { ErrorSummary } from './error-summary';
import { ErrorNotice } from './notices';
import { ParameterFields } from './parameter-field';

const NetworkPickerQuery = gql`
  query NetworkPicker {
    networks {
      name
      provider
      deployed
    }
  }
`;

const CreateNetworkInlineMutation = gql`
  mutation CreateNetworkInline($input: CreateNetworkInput!) {
    createNetwork(input: $input) {
      __typename
      ... on Network {
        name
        provider
        deployed
      }
      ... on ValidationErrors {
        message
        fieldErrors {
          field
          rule
          message
        }
      }
    }
  }
`;

/** What a provider's network is called: a Local Docker network, an AWS network (a VPC, not an EC2 thing). */
const NETWORK_KINDS: Record<Provider, string> = { LOCAL: 'Local Docker', AWS: 'AWS' };

interface NetworkChoice {
  name: string;
  provider: Provider;
  deployed: boolean;
}

type CreateNetworkResult =
  | ({ __typename: 'Network' } & NetworkChoice)
  | ({ __typename: 'ValidationErrors' } & ValidationErrors);

export interface NetworkPickerProps {
  /** The id of the select, for a field error to link to. */
  id: string;
  /** The service's provider: only its networks are offered. */
  provider: Provider;
  /** The chosen network's name. */
  value: string;
  onChange(name: string): void;
  /** The API's message for the network field. */
  error?: string;
}

/**
 * A service's network: the provider's existing networks, each saying whether it is deployed, and "New
 * network…", which creates one inline (its name and the network template's fields) without leaving the
 * service's form. A name that is not a network yet stays choosable: the service can be saved first, and its
 * Plan waits for the network.
 */
export function NetworkPicker(props: NetworkPickerProps) {
  const [networks, refetchNetworks] = createQuery<{ networks: NetworkChoice[] }>({
    query: NetworkPickerQuery,
    requestPolicy: 'cache-and-network',
  });
  const [creating, setCreating] = createSignal(false);
  // Once the user picks, the picker stops choosing for them.
  const [touched, setTouched] = createSignal(false);

  const choices = () =>
    (networks.data?.networks ?? [])
      .filter((n) => n.provider === props.provider)
      .sort((a, b) => a.name.localeCompare(b.name));
  const chosen = () => choices().find((n) => n.name === props.value);

  // Until the user picks, start from a network that exists on this provider, deployed first.
  createEffect(
    on([choices, () => props.provider], () => {
      if (touched() || chosen()) return;
      const first = choices().find((n) => n.deployed) ?? choices()[0];
      if (first) props.onChange(first.name);
    }),
  );

  function pick(name: string) {
    setTouched(true);
    props.onChange(name);
  }

  function created(network: NetworkChoice) {
    setCreating(false);
    pick(network.name);
    refetchNetworks({ requestPolicy: 'network-only' });
  }

  const hintId = () => `${props.id}-hint`;

  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={props.id}>Network</label>
      <div class="network-picker">
        <select
          id={props.id}
          name="networkName"
          onChange={(event) => pick(event.currentTarget.value)}
          aria-describedby={`${hintId()}${props.error ? ` ${props.id}-error` : ''}`}
          aria-invalid={props.error ? true : undefined}
        >
          {/* `selected` on the options: a select's value set before its options exist shows the first one. */}
          <For each={choices()}>
            {(n) => (
              <option value={n.name} selected={n.name === props.value}>
                {n.name} — {n.deployed ? 'deployed' : 'not deployed'}
              </option>
            )}
          </For>
          <Show when={props.value && !chosen()}>
            <option value={props.value} selected>
              {props.value} — not created yet
            </option>
          </Show>
        </select>
        <button
          type="button"
          class="button"
          aria-expanded={creating()}
          aria-controls={`${props.id}-new`}
          onClick={() => setCreating(!creating())}
        >
          New network…
        </button>
      </div>
      <p class="hint" id={hintId()}>
        Services on the same network reach each other.{' '}
        <NetworkState provider={props.provider} name={props.value} network={chosen()} />
      </p>
      <Show when={props.error}>
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      </Show>
      <Show when={creating()}>
        <NewNetworkInline
          id={`${props.id}-new`}
          provider={props.provider}
          taken={choices().map((n) => n.name)}
          wanted={props.value && !chosen() ? props.value : undefined}
          onCreated={created}
          onCancel={() => setCreating(false)}
        />
      </Show>
    </div>
  );
}

/** Whether the chosen network is ready for a plan, and what to do when it is not. */
function NetworkState(props: { provider: Provider; name: string; network: NetworkChoice | undefined }) {
  return (
    <Show when={props.name}>
      <Show
        when={props.network}
        fallback={
          <>
            Network “{props.name}” ({PROVIDER_LABELS[props.provider]}) does not exist yet: create it with “New
            network…”. You can save the service first; its Plan waits for the network.
          </>
        }
      >
        {(network) => (
          <Show when={!network().deployed} fallback={<>Network “{props.name}” is deployed.</>}>
            Network “{props.name}” is not deployed yet: you can save the service now; its Plan waits until the
            network is applied (
            <a href={networkHref(props.provider, props.name)} target="_blank" rel="noopener">
              open network “{props.name}” in a new tab
            </a>
            ).
          </Show>
        )}
      </Show>
    </Show>
  );
}

/**
 * The new network's form, inside the service's form (HTML forms do not nest): its button is not a submit, and
 * Enter in its fields creates the network rather than submitting the service.
 */
function NewNetworkInline(props: {
  id: string;
  provider: Provider;
  /** The provider's network names: never offered as the new one's name. */
  taken: string[];
  /** The name the service asks for, when it is not a network yet. */
  wanted: string | undefined;
  onCreated(network: NetworkChoice): void;
  onCancel(): void;
}) {
  const [name, setName] = createSignal(suggestNetworkName(props.taken, [props.wanted, 'default']));
  const [refusal, setRefusal] = createSignal<ValidationErrors>();
  const [template] = createNetworkTemplateQuery(() => props.provider);
  const [result, createNetwork] = createMutation<{ createNetwork: CreateNetworkResult }>(
    CreateNetworkInlineMutation,
  );
  const form = createParameterForm({
    parameters: () => template.data?.networkTemplate?.parameters ?? [],
    provider: () => props.provider,
    idPrefix: `${props.id}-param`,
  });
  createEffect(
    on(
      () => template.data?.networkTemplate?.id,
      () => form.reset(),
    ),
  );
  const nameError = () => refusal()?.fieldErrors.find((e) => e.field === 'networkName')?.message;
  const nameId = `${props.id}-name`;
  let nameInput: HTMLInputElement | undefined;
  queueMicrotask(() => nameInput?.focus());

  async function create() {
    if (result.fetching) return;
    setRefusal(undefined);
    form.setRefusal(undefined);
    const outcome = (
      await createNetwork({
        input: { networkName: name().trim(), provider: props.provider, params: form.params() },
      })
    ).data?.createNetwork;
    if (outcome?.__typename === 'Network') props.onCreated(outcome);
    else if (outcome?.__typename === 'ValidationErrors') {
      setRefusal(outcome);
      form.setRefusal(outcome);
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    const target = event.target as HTMLElement;
    if (event.key !== 'Enter' || !(target instanceof HTMLInputElement) || target.type === 'checkbox') return;
    event.preventDefault();
    void create();
  }

  return (
    <fieldset class="network-inline" id={props.id} onKeyDown={onKeyDown}>
      <legend>New {NETWORK_KINDS[props.provider]} network</legend>
      <p class="hint">
        Created here, it is chosen for this service; what you typed above stays. It is deployed from its own
        page, before the service's plan.
      </p>
      <ErrorSummary
        refusal={refusal()}
        fieldIdOf={(field) => (field === 'networkName' ? nameId : form.fieldIdOf(field))}
      />
      <ErrorNotice error={result.error ?? template.error} />
      <div class={`field${nameError() ? ' field-invalid' : ''}`}>
        <label for={nameId}>
          Network name<span class="required"> (required)</span>
        </label>
        <input
          ref={nameInput}
          id={nameId}
          value={name()}
          onInput={(event) => setName(event.currentTarget.value)}
          maxLength={40}
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          aria-describedby={`${nameId}-hint${nameError() ? ` ${nameId}-error` : ''}`}
          aria-invalid={nameError() ? true : undefined}
        />
        <p class="hint" id={`${nameId}-hint`}>
          2-40 lowercase letters, digits and single hyphens, starting with a letter.
          <Show when={props.taken.length > 0}> Taken already: {props.taken.join(', ')}.</Show>
        </p>
        <Show when={nameError()}>
          <p class="field-error" id={`${nameId}-error`}>
            {nameError()}
          </p>
        </Show>
      </div>
      <Show when={template.data?.networkTemplate}>{(t) => <p class="hint">{t().description}</p>}</Show>
      <ParameterFields form={form} />
      <div class="actions">
        <button
          type="button"
          class="button button-primary"
          onClick={create}
          disabled={result.fetching || template.fetching}
        >
          {result.fetching ? 'Creating…' : 'Create network'}
        </button>
        <button type="button" class="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}
