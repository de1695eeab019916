import type { Stack } from './helpers.ts';

/** The sandbox's legacy API key as a `POST /link/connect` auth body. */
export const apiKeyAuth = (stack: Stack) => ({
  type: 'api_key',
  api_key: stack.sandbox.credentials.apiKey,
});

/** The sandbox's PAT (a wrong secret when given) as a `POST /link/connect` auth body. */
export const patAuth = (stack: Stack, secret = stack.sandbox.credentials.client.clientSecret) => ({
  type: 'pat',
  client_id: stack.sandbox.credentials.client.clientId,
  client_secret: secret,
  token_url: stack.sandbox.tokenUrl,
});
