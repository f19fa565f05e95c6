import type { Provider } from './api-types';

// Every page address in one place, so a link and its route cannot disagree.
export const serviceHref = (id: string) => `/services/${encodeURIComponent(id)}`;
export const networkHref = (provider: Provider, name: string) =>
  `/networks/${provider}/${encodeURIComponent(name)}`;
export const editServiceHref = (id: string) => `/services/${encodeURIComponent(id)}/edit`;
export const jobHref = (id: string) => `/jobs/${encodeURIComponent(id)}`;
export const templateHref = (id: string) => `/catalog/${encodeURIComponent(id)}`;
/** The networks page with its form filled in for this network (a failed plan links here). */
export const newNetworkHref = (provider: Provider, name: string) =>
  `/networks?${new URLSearchParams({ provider, name }).toString()}`;
