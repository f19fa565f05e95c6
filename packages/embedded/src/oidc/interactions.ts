import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { renderLoginPage, renderMessagePage } from './login-page.js';
import type { UserStore } from './user-store.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const MAX_FORM_BYTES = 16 * 1024;

/**
 * Serves `/interaction/:uid` (the sign-in form) and `/interaction/:uid/login` (its POST), and grants
 * consent on its own for first-party clients. CSRF: an interaction is bound to oidc-provider's
 * SameSite=Lax, httpOnly `_interaction` cookie scoped to its path, so a cross-site POST arrives
 * without it and is refused, as in oidc-provider's own example.
 */
export function createInteractionHandler(
  provider: Provider,
  users: UserStore,
  firstPartyClients: ReadonlySet<string>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async function handleInteraction(req, res) {
    setSecurityHeaders(res);
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(pathname);
    if (!match) return sendHtml(res, 404, renderMessagePage('Not found', 'There is no such page.'));
    const [, uid, login] = match;
    const route = `${req.method} ${login ? 'login' : 'prompt'}`;
    if (route !== 'GET prompt' && route !== 'POST login') {
      res.setHeader('Allow', login ? 'POST' : 'GET');
      return sendHtml(res, 405, renderMessagePage('Method not allowed', 'Use the sign-in form.'));
    }

    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch (error) {
      if ((error as Error).name !== 'SessionNotFound') throw error;
      return sendHtml(
        res,
        400,
        renderMessagePage(
          'Sign-in expired',
          'This sign-in has expired or was started in another browser. Go back to the application and sign in again.',
        ),
      );
    }
    if (interaction.uid !== uid) {
      return sendHtml(
        res,
        400,
        renderMessagePage('Sign-in mismatch', 'Go back to the application and sign in again.'),
      );
    }
    const clientId = String(interaction.params.client_id);
    const client = await provider.Client.find(clientId);
    const clientName = client?.clientName ?? clientId;
    const action = `/interaction/${uid}/login`;

    if (route === 'GET prompt') {
      if (interaction.prompt.name === 'login')
        return sendHtml(res, 200, renderLoginPage({ action, clientName }));
      if (interaction.prompt.name === 'consent' && firstPartyClients.has(clientId)) {
        return grantConsent(provider, interaction, req, res);
      }
      return sendHtml(
        res,
        403,
        renderMessagePage(
          'Not allowed',
          `SpawnIt only signs in to its own applications, not "${clientName}".`,
        ),
      );
    }

    if (interaction.prompt.name !== 'login') {
      return sendHtml(res, 400, renderMessagePage('Already signed in', 'Go back to the application.'));
    }
    const form = await readForm(req);
    const username = form.get('username')?.trim() ?? '';
    const user = await users.authenticate(username, form.get('password') ?? '');
    if (!user) {
      return sendHtml(
        res,
        401,
        renderLoginPage({
          action,
          clientName,
          username,
          error: 'Wrong username or password. Check both and try again.',
        }),
      );
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.id } },
      { mergeWithLastSubmission: false },
    );
  };
}

/** Grants what the consent prompt says is missing, as the user of a first-party client would. */
async function grantConsent(
  provider: Provider,
  interaction: Interaction,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const { details } = interaction.prompt;
  const accountId = interaction.session?.accountId;
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
  const missingScope = details.missingOIDCScope as string[] | undefined;
  const missingClaims = details.missingOIDCClaims as string[] | undefined;
  const missingResourceScopes = details.missingResourceScopes as Record<string, string[]> | undefined;
  if (missingScope) grant.addOIDCScope(missingScope.join(' '));
  if (missingClaims) grant.addOIDCClaims(missingClaims);
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: existing ? {} : { grantId } },
    { mergeWithLastSubmission: true },
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('The sign-in form is too large.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store');
  // No form-action: browsers apply it to the redirect back to the client after sign-in.
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}
