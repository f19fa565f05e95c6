import { A } from '@solidjs/router';
import { createQuery, gql } from '@urql/solid';
import { For, Show } from 'solid-js';
import { Loaded } from '../components/notices';
import { TemplateIcon } from '../components/template-icon';
import { PROVIDER_LABELS, type Provider } from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { templateHref } from '../lib/links';

const CatalogQuery = gql`
  query Catalog {
    catalog {
      id
      name
      description
      category
      icon
      providers
    }
  }
`;

interface CatalogTemplate {
  id: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  providers: Provider[];
}

/** Every service a user can deploy, grouped by category, in catalog order. */
export function CatalogPage() {
  createPageTitle(() => 'Catalog');
  const [catalog] = createQuery<{ catalog: CatalogTemplate[] }>({ query: CatalogQuery });
  const groups = () => {
    const byCategory = new Map<string, CatalogTemplate[]>();
    for (const t of catalog.data?.catalog ?? [])
      byCategory.set(t.category, [...(byCategory.get(t.category) ?? []), t]);
    return [...byCategory.entries()];
  };

  return (
    <>
      <h1>Catalog</h1>
      <p class="lead">Pick a service, fill in its form, read the plan, and confirm: it runs.</p>
      <Loaded query={catalog} label="Loading the catalog…">
        <Show when={groups().length > 0} fallback={<p class="empty">The catalog is empty.</p>}>
          <For each={groups()}>
            {([category, templates]) => (
              <section class="catalog-group" aria-labelledby={`category-${category}`}>
                <h2 id={`category-${category}`} class="category">
                  {category}
                </h2>
                <ul class="cards">
                  <For each={templates}>
                    {(template) => (
                      <li class="card">
                        <TemplateIcon icon={template.icon} name={template.name} />
                        <div class="card-body">
                          <h3>
                            <A href={templateHref(template.id)} class="card-link">
                              {template.name}
                            </A>
                          </h3>
                          <p>{template.description}</p>
                          <p class="tags">
                            <span class="tag">{template.category}</span>
                            <For each={template.providers}>
                              {(provider) => (
                                <span class="tag tag-provider">{PROVIDER_LABELS[provider]}</span>
                              )}
                            </For>
                          </p>
                        </div>
                      </li>
                    )}
                  </For>
                </ul>
              </section>
            )}
          </For>
        </Show>
      </Loaded>
    </>
  );
}
