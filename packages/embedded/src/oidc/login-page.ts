// The provider's own pages (sign in, sign out, errors) wear the web app's look: its colours (light and dark),
// its logo, its buttons and notices, so leaving the app for the password does not feel like leaving it.

/** The web app's logo (packages/web/public/favicon.svg): the provider runs on its own origin, so it is inline. */
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="7" fill="#1d4ed8"/><path d="M10 21c0 2 2 3 6 3s6-1.5 6-4-2.5-3.3-6-4-5.5-1.6-5.5-4S12.5 8 16 8s5.5 1 5.8 3" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>';

// The web app's variables and components (packages/web/src/styles.css), the few a card page needs.
const STYLE = `
:root { --bg: #f6f7f9; --surface: #fff; --text: #1b1f24; --muted: #57606a; --border: #d0d7de; --accent: #1d4ed8;
  --accent-text: #fff; --bad: #991b1b; --bad-bg: #fee2e2; --ok: #166534; --ok-bg: #dcfce7; --radius: 8px;
  --focus: 3px solid #2563eb; color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  sans-serif; line-height: 1.5; background: var(--bg); color: var(--text); }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --surface: #161b22; --text: #e6edf3; --muted: #9198a1;
  --border: #30363d; --accent: #3b82f6; --bad: #fecaca; --bad-bg: #7f1d1d; --ok: #86efac; --ok-bg: #14532d; } }
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; }
:focus-visible { outline: var(--focus); outline-offset: 2px; }
.site-header { display: flex; align-items: center; padding: .6rem clamp(1rem, 4vw, 2rem); background: var(--surface);
  border-bottom: 1px solid var(--border); }
.brand { display: inline-flex; align-items: center; gap: .5rem; font-weight: 700; font-size: 1.15rem; }
main { max-width: 26rem; margin: 10vh auto; padding: 0 1rem; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; line-height: 1.25; }
.lead { color: var(--muted); margin: 0 0 1rem; }
.field { margin: 1rem 0; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input { display: block; width: 100%; min-height: 2.5rem; padding: .45rem .6rem; font: inherit; color: var(--text);
  background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); }
input[aria-invalid="true"] { border-color: var(--bad); }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1.5rem; }
.button { display: inline-flex; align-items: center; justify-content: center; min-height: 2.5rem; padding: .45rem 1rem;
  border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); color: var(--text);
  font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
.button:hover { border-color: var(--muted); }
.button-primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
.button-wide { width: 100%; }
.notice { border: 1px solid; border-radius: var(--radius); padding: .75rem 1rem; margin: 1rem 0; }
.notice p { margin: 0; }
.notice-error { color: var(--bad); background: var(--bad-bg); }
.notice-success { color: var(--ok); background: var(--ok-bg); }
`;

/** A page of the provider: the app's header, then one card. */
function renderPage(title: string, card: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – SpawnIt</title>
<style>${STYLE}</style>
</head>
<body>
<header class="site-header"><span class="brand">${LOGO}SpawnIt</span></header>
<main>
<div class="card">
${card}
</div>
</main>
</body>
</html>
`;
}

export interface LoginPageOptions {
  /** Where the form posts to. */
  action: string;
  /** Shown as "Sign in to <clientName>". */
  clientName: string;
  /** Pre-filled after a failed attempt. */
  username?: string;
  /** Shown above the form, announced to screen readers. */
  error?: string;
}

/**
 * The sign-in page: labelled fields, autocomplete hints, and after a wrong password the error in an alert
 * region, the username kept and the focus on the password.
 */
export function renderLoginPage({ action, clientName, username = '', error }: LoginPageOptions): string {
  const invalid = error ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  return renderPage(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(clientName)}</h1>
<p class="lead">Use the account your administrator gave you.</p>
${error ? `<div class="notice notice-error" role="alert" id="login-error"><p>${escapeHtml(error)}</p></div>` : ''}
<form method="post" action="${escapeHtml(action)}" novalidate>
  <div class="field">
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(username)}"${username ? '' : ' autofocus'}>
  </div>
  <div class="field">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${username ? ' autofocus' : ''}>
  </div>
  <div class="actions"><button type="submit" class="button button-primary button-wide">Sign in</button></div>
</form>`,
  );
}

/**
 * The question before the provider ends its session. `form` is oidc-provider's own (its CSRF token); the
 * buttons submit it from outside, as its default page does.
 */
export function renderLogoutPage(options: { form: string; clientName?: string }): string {
  return renderPage(
    'Sign out',
    `<h1>Sign out of ${escapeHtml(options.clientName ?? 'SpawnIt')}?</h1>
<p class="lead">Anyone using this browser after you will need your password to get back in.</p>
${options.form}
<div class="actions">
  <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout" class="button button-primary">Yes, sign me out</button>
  <button type="submit" form="op.logoutForm" class="button">No, stay signed in</button>
</div>`,
  );
}

/** After a sign-out that has no way back to an application (the command line's). */
export function renderSignedOutPage(): string {
  return renderPage(
    'Signed out',
    `<h1>Signed out</h1>
<div class="notice notice-success" role="status"><p>You are signed out of SpawnIt. You can close this tab.</p></div>`,
  );
}

/** The page shown when the sign-in itself cannot go on (expired or foreign interaction, a refused request). */
export function renderMessagePage(title: string, message: string): string {
  return renderPage(
    title,
    `<h1>${escapeHtml(title)}</h1>
<div class="notice notice-error" role="alert"><p>${escapeHtml(message)}</p></div>`,
  );
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
