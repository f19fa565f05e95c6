import { A, useNavigate, useParams } from '@solidjs/router';
import { createMutation, createQuery, gql } from '@urql/solid';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { ErrorSummary } from '../components/error-summary';
import { NetworkPicker } from '../components/network-picker';
import { ErrorNotice, Loaded } from '../components/notices';
import { ParameterFields } from '../components/parameter-field';
import { TemplateIcon } from '../components/template-icon';
import {
  PROVIDER_LABELS,
  type Provider,
  type TemplateParameter,
  type ValidationErrors,
} from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { createParameterForm, keepFocus } from '../lib/create-parameter-form';
import { TemplateParameterFields, ValidationErrorsFields } from '../lib/fragments';
import { serviceHref } from '../lib/links';
import { checkSlug, conflictAsRefusal } from '../lib/parameter-form';

const NewServiceQuery = gql`
  query NewService($id: ID!) {
    template(id: $id) {
      id
      name
      description
      icon
      providers
      parameters {
        ...TemplateParameterFields
      }
    }
  }
  ${TemplateParameterFields}
`;

const CreateServiceMutation = gql`
  mutation CreateService($input: CreateServiceInput!) {
    createService(input: $input) {
      __typename
      ... on Service {
        id
      }
      ...ValidationErrorsFields
    }
  }
  ${ValidationErrorsFields}
`;

interface NewServiceData {
  template: {
    id: string;
    name: string;
    description: string;
    icon: string;
    providers: Provider[];
    parameters: TemplateParameter[];
  } | null;
}

type CreateServiceResult =
  | { __typename: 'Service'; id: string }
  | ({ __typename: 'ValidationErrors' } & ValidationErrors);

/** The form of a template: service id, provider, network and the template's own fields. */
export function NewServicePage() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [query, refetch] = createQuery<NewServiceData, { id: string }>({
    query: NewServiceQuery,
    variables: () => ({ id: params.id }),
    requestPolicy: 'cache-and-network',
  });
  const [created, createService] = createMutation<{ createService: CreateServiceResult }>(
    CreateServiceMutation,
  );

  const [serviceId, setServiceId] = createSignal('');
  const [provider, setProvider] = createSignal<Provider>('LOCAL');
  const [networkName, setNetworkName] = createSignal('default');

  const template = () => query.data?.template;
  createPageTitle(() => `New ${template()?.name ?? params.id} service`);
  const form = createParameterForm({
    parameters: () => template()?.parameters ?? [],
    provider,
    idPrefix: 'param',
    labels: { serviceId: 'Service id', provider: 'Provider', networkName: 'Network' },
    checks: {
      serviceId: () => checkSlug('Service id', serviceId().trim()),
      networkName: () => checkSlug('Network', networkName().trim()),
    },
  });
  const errors = form.errors;

  // A new template (or its first load) starts from its defaults.
  createEffect(
    on(
      () => template()?.id,
      () => {
        const t = template();
        if (!t) return;
        form.reset();
        if (!t.providers.includes(provider())) setProvider(t.providers[0] ?? 'LOCAL');
      },
    ),
  );

  const fieldIdOf = (field: string) => {
    if (field === 'serviceId' || field === 'provider' || field === 'networkName') return `service-${field}`;
    return form.fieldIdOf(field);
  };

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const t = template();
    if (!t || !form.check()) return;
    form.setRefusal(undefined);
    const result = await createService({
      input: {
        serviceId: serviceId().trim(),
        templateId: t.id,
        provider: provider(),
        networkName: networkName().trim(),
        params: form.params(),
      },
    });
    const outcome = result.data?.createService;
    if (outcome?.__typename === 'Service') {
      navigate(serviceHref(outcome.id));
    } else if (outcome?.__typename === 'ValidationErrors') {
      form.setRefusal(outcome);
    } else {
      form.setRefusal(conflictAsRefusal(result.error, 'serviceId'));
    }
  }

  return (
    <>
      <p class="breadcrumbs">
        <A href="/">Catalog</A> / <span aria-current="page">{template()?.name ?? params.id}</span>
      </p>
      <Loaded
        query={query}
        what={`template “${params.id}” and your networks`}
        retry={refetch}
        label="Loading the template…"
      >
        <Show
          when={template()}
          fallback={
            <>
              <h1>No such template</h1>
              <p>
                The catalog has no template “{params.id}”. <A href="/">Back to the catalog</A>.
              </p>
            </>
          }
        >
          {(t) => (
            <>
              <div class="page-head">
                <TemplateIcon icon={t().icon} name={t().name} />
                <div>
                  <h1>New {t().name} service</h1>
                  <p class="lead">{t().description}</p>
                </div>
              </div>
              <p>Saving the form deploys nothing: you will see the plan first.</p>
              <form class="form" onSubmit={submit} novalidate>
                <ErrorSummary refusal={form.refusal()} fieldIdOf={fieldIdOf} />
                <ErrorNotice
                  error={conflictAsRefusal(created.error, 'serviceId') ? undefined : created.error}
                  what={`Could not create service “${serviceId().trim()}”`}
                />
                <fieldset>
                  <legend>Service</legend>
                  <div class={`field${errors().serviceId ? ' field-invalid' : ''}`}>
                    <label for="service-serviceId">
                      Service id<span class="required"> (required)</span>
                    </label>
                    <input
                      id="service-serviceId"
                      name="serviceId"
                      value={serviceId()}
                      onInput={(event) => {
                        setServiceId(event.currentTarget.value);
                        form.changed('serviceId');
                      }}
                      onBlur={() => form.touch('serviceId')}
                      required
                      maxLength={40}
                      autocomplete="off"
                      autocapitalize="none"
                      spellcheck={false}
                      aria-describedby={`service-serviceId-hint${errors().serviceId ? ' service-serviceId-error' : ''}`}
                      aria-invalid={errors().serviceId ? true : undefined}
                    />
                    <p class="hint" id="service-serviceId-hint">
                      How you will find it: 2-40 lowercase letters, digits and single hyphens, starting with a
                      letter (e.g. “my-db”).
                    </p>
                    <Show when={errors().serviceId}>
                      <p class="field-error" id="service-serviceId-error">
                        {errors().serviceId}
                      </p>
                    </Show>
                  </div>
                  <div class={`field${errors().provider ? ' field-invalid' : ''}`}>
                    <label for="service-provider">Provider</label>
                    <select
                      id="service-provider"
                      name="provider"
                      value={provider()}
                      onChange={(event) => setProvider(event.currentTarget.value as Provider)}
                      aria-describedby={errors().provider ? 'service-provider-error' : undefined}
                    >
                      <For each={t().providers}>{(p) => <option value={p}>{PROVIDER_LABELS[p]}</option>}</For>
                    </select>
                    <Show when={errors().provider}>
                      <p class="field-error" id="service-provider-error">
                        {errors().provider}
                      </p>
                    </Show>
                  </div>
                  <NetworkPicker
                    id="service-networkName"
                    provider={provider()}
                    value={networkName()}
                    onChange={(name) => {
                      setNetworkName(name);
                      form.changed('networkName');
                    }}
                    error={errors().networkName}
                  />
                </fieldset>
                <Show when={form.fields().length > 0}>
                  <fieldset>
                    <legend>Settings</legend>
                    <ParameterFields form={form} />
                  </fieldset>
                </Show>
                <div class="actions">
                  <button
                    type="submit"
                    class="button button-primary"
                    disabled={created.fetching}
                    onMouseDown={keepFocus}
                  >
                    {created.fetching ? 'Saving…' : form.submitLabel('Create service')}
                  </button>
                  <A href="/" class="button">
                    Cancel
                  </A>
                </div>
              </form>
            </>
          )}
        </Show>
      </Loaded>
    </>
  );
}
