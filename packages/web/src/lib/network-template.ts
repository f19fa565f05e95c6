import { createQuery, gql } from '@urql/solid';
import type { Accessor } from 'solid-js';
import type { Provider, TemplateParameter } from './api-types';
import { TemplateParameterFields } from './fragments';

const NetworkTemplateQuery = gql`
  query NetworkTemplate($provider: Provider!) {
    networkTemplate(provider: $provider) {
      id
      description
      parameters {
        ...TemplateParameterFields
      }
    }
  }
  ${TemplateParameterFields}
`;

/** The network template of a provider: what a new network's form asks (the networks page, the inline form). */
export function createNetworkTemplateQuery(provider: Accessor<Provider>) {
  return createQuery<
    { networkTemplate: { id: string; description: string; parameters: TemplateParameter[] } | null },
    { provider: Provider }
  >({ query: NetworkTemplateQuery, variables: () => ({ provider: provider() }) });
}
