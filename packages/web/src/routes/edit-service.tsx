import { A, useNavigate, useParams } from '@solidjs/router';
import { createMutation, createQuery, gql } from '@urql/solid';
import { createEffect, on, Show } from 'solid-js';
import { ErrorSummary } from '../components/error-summary';
import { ErrorNotice, Loaded } from '../components/notices';
import { ParameterFields } from '../components/parameter-field';
import {
  type Json,
  PROVIDER_LABELS,
  type Provider,
  type TemplateParameter,
  type ValidationErrors,
} from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { createParameterForm, keepFocus } from '../lib/create-parameter-form';
import { TemplateParameterFields, ValidationErrorsFields } from '../lib/fragments';
import { jobHref, serviceHref } from '../lib/links';

const EditServiceQuery = gql`
  query EditService($id: ID!) {
    service(id: $id) {
      id
      provider
      networkName
      deployed
      params
      template {
        id
        name
        parameters {
          ...TemplateParameterFields
        }
      }
    }
  }
  ${TemplateParameterFields}
`;

const UpdateServiceMutation = gql`
  mutation UpdateService($id: ID!, $params: JSON!) {
    updateService(id: $id, params: $params) {
      __typename
      ...ValidationErrorsFields
    }
  }
  ${ValidationErrorsFields}
`;

const PlanServiceMutation = gql`
  mutation PlanEditedService($id: ID!) {
    planService(id: $id) {
      id
    }
  }
`;

interface EditServiceData {
  service: {
    id: string;
    provider: Provider;
    networkName: string;
    deployed: boolean;
    params: Record<string, Json>;
    template: { id: string; name: string; parameters: TemplateParameter[] } | null;
  } | null;
}

type UpdateServiceResult =
  | { __typename: 'Service' }
  | ({ __typename: 'ValidationErrors' } & ValidationErrors);

/** Changes a service's settings, then plans the change so the user reads it before anything runs. */
export function EditServicePage() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [query, refetch] = createQuery<EditServiceData, { id: string }>({
    query: EditServiceQuery,
    variables: () => ({ id: params.id }),
    requestPolicy: 'network-only',
  });
  const [saved, updateService] = createMutation<{ updateService: UpdateServiceResult }>(
    UpdateServiceMutation,
  );
  const [planned, planService] = createMutation<{ planService: { id: string } }>(PlanServiceMutation);
  const service = () => query.data?.service;
  createPageTitle(() => `Edit service ${params.id}`);
  const form = createParameterForm({
    parameters: () => service()?.template?.parameters ?? [],
    provider: () => service()?.provider ?? 'LOCAL',
    idPrefix: 'param',
    editing: true,
  });
  // The form starts from what is saved, once the service is loaded.
  createEffect(
    on(
      () => service()?.id,
      () => {
        const s = service();
        if (s) form.reset(s.params);
      },
    ),
  );

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    if (!form.check()) return;
    form.setRefusal(undefined);
    const result = await updateService({ id: params.id, params: form.params() });
    const outcome = result.data?.updateService;
    if (outcome?.__typename === 'ValidationErrors') {
      form.setRefusal(outcome);
      return;
    }
    if (outcome?.__typename !== 'Service') return;
    // Saving deploys nothing: the plan of the change comes next, to read before applying.
    const plan = await planService({ id: params.id });
    const jobId = plan.data?.planService.id;
    navigate(jobId ? jobHref(jobId) : serviceHref(params.id));
  }

  return (
    <>
      <p class="breadcrumbs">
        <A href="/services">Services</A> / <A href={serviceHref(params.id)}>{params.id}</A> /{' '}
        <span aria-current="page">Edit</span>
      </p>
      <Loaded query={query} what={`service “${params.id}”`} retry={refetch} label="Loading the service…">
        <Show
          when={service()}
          fallback={
            <>
              <h1>No such service</h1>
              <p>
                You have no service “{params.id}”. <A href="/services">Back to your services</A>.
              </p>
            </>
          }
        >
          {(s) => (
            <>
              <h1>Edit {s().id}</h1>
              <p class="lead">
                {s().template?.name} on {PROVIDER_LABELS[s().provider]}, network {s().networkName}
              </p>
              <p>
                Saving plans the change: you read what it does
                {s().deployed ? ' to the running service' : ''} before anything is applied. Leave a secret
                empty to keep it.
              </p>
              <form class="form" onSubmit={submit} novalidate>
                <ErrorSummary refusal={form.refusal()} fieldIdOf={form.fieldIdOf} />
                <ErrorNotice error={saved.error} what={`Could not save service “${s().id}”`} />
                <ErrorNotice error={planned.error} what={`Could not plan service “${s().id}”`} />
                <fieldset>
                  <legend>Settings</legend>
                  <ParameterFields form={form} />
                </fieldset>
                <div class="actions">
                  <button
                    type="submit"
                    class="button button-primary"
                    disabled={saved.fetching || planned.fetching}
                    onMouseDown={keepFocus}
                  >
                    {saved.fetching || planned.fetching ? 'Saving…' : form.submitLabel('Save and plan')}
                  </button>
                  <A href={serviceHref(s().id)} class="button">
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
