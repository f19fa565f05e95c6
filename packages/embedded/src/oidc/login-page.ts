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

/** A plain, accessible sign-in page: labelled fields, autocomplete hints, errors in an alert region. */
export function renderLoginPage({ action, clientName, username = '', error }: LoginPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – SpawnIt</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 22rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
  button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; }
  [role="alert"] { color: #a00; border: 1px solid currentColor; padding: .5rem; }
  :focus-visible { outline: 3px solid #0a58ca; outline-offset: 2px; }
</style>
</head>
<body>
<main>
<h1>Sign in to ${escapeHtml(clientName)}</h1>
${error ? `<p role="alert" id="login-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}"${error ? ' aria-describedby="login-error"' : ''}>
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(username)}"${username ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${username ? ' autofocus' : ''}>
  <button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}

/** The page shown when the sign-in itself cannot go on (expired or foreign interaction). */
export function renderMessagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} – SpawnIt</title></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body>
</html>
`;
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
