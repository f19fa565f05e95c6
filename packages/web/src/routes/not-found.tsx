import { A } from '@solidjs/router';
import { createPageTitle } from '../lib/create-page-title';

export function NotFoundPage() {
  createPageTitle(() => 'Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <A href="/">Go to the catalog</A>.
      </p>
    </>
  );
}
