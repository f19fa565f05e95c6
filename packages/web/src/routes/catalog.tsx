import { A, useSearchParams } from '@solidjs/router';
import { createQuery, gql } from '@urql/solid';
import { createMemo, For, Show } from 'solid-js';
import { Loaded } from '../components/notices';
import { TemplateIcon } from '../components/template-icon';
import { PROVIDER_LABELS, type Provider } from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { categoryLabel } from '../lib/format';
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

/**
 * Every service a user can deploy, grouped by category, in catalog order; searched by name or description
 * and narrowed to one category (both kept in the address, so a filtered catalog can be shared).
 */
export function CatalogPage() {
  createPageTitle(() => 'Catalog');
  const [catalog, refetch] = createQuery<{ catalog: CatalogTemplate[] }>({ query: CatalogQuery });
  const [search, setSearch] = useSearchParams<{ q?: string; category?: string }>();
  const templates = () => catalog.data?.catalog ?? [];
  const categories = createMemo(() => [...new Set(templates().map((t) => t.category))]);
  const shown = createMemo(() => {
    const words = (search.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    return templates().filter(
      (t) =>
        (!search.category || t.category === search.category) &&
        words.every((word) =>
          `${t.name} ${t.description} ${t.id} ${categoryLabel(t.category)}`.toLowerCase().includes(word),
        ),
    );
  });
  const groups = () => {
    const byCategory = new Map<string, CatalogTemplate[]>();
    for (const t of shown()) byCategory.set(t.category, [...(byCategory.get(t.category) ?? []), t]);
    return [...byCategory.entries()];
  };

  return (
    <>
      <h1>Catalog</h1>
      <p class="lead">Pick a service, fill in its form, read the plan, and confirm: it runs.</p>
      <Loaded query={catalog} what="the catalog" retry={refetch} label="Loading the catalog…">
        <Show when={templates().length > 0} fallback={<p class="empty">The catalog is empty.</p>}>
          <search class="filters catalog-filters" aria-label="Find a service">
            <div class="field">
              <label for="catalog-q">Search</label>
              <input
                id="catalog-q"
                type="search"
                placeholder="postgres, git, game…"
                value={search.q ?? ''}
                onInput={(event) => setSearch({ q: event.currentTarget.value || undefined })}
              />
            </div>
            <fieldset class="field category-filter">
              <legend>Category</legend>
              <div class="chips">
                <button
                  type="button"
                  class="chip"
                  aria-pressed={!search.category}
                  onClick={() => setSearch({ category: undefined })}
                >
                  All
                </button>
                <For each={categories()}>
                  {(category) => (
                    <button
                      type="button"
                      class="chip"
                      aria-pressed={search.category === category}
                      onClick={() =>
                        setSearch({ category: search.category === category ? undefined : category })
                      }
                    >
                      {categoryLabel(category)}
                    </button>
                  )}
                </For>
              </div>
            </fieldset>
          </search>
          <p class="hint" aria-live="polite">
            {shown().length} of {templates().length} services
          </p>
          <Show
            when={groups().length > 0}
            fallback={
              <p class="empty">
                No service matches.{' '}
                <button
                  type="button"
                  class="link-button"
                  onClick={() => setSearch({ q: undefined, category: undefined })}
                >
                  Show them all
                </button>
              </p>
            }
          >
            <For each={groups()}>
              {([category, list]) => (
                <section class="catalog-group" aria-labelledby={`category-${category}`}>
                  <h2 id={`category-${category}`} class="category">
                    {categoryLabel(category)}
                  </h2>
                  <ul class="cards">
                    <For each={list}>
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
                              <span class="tag">{categoryLabel(template.category)}</span>
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
        </Show>
      </Loaded>
    </>
  );
}
