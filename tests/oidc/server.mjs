// A real OpenID provider (node oidc-provider) for the SSO tests.
//
// Configuration comes as JSON in OIDC_TEST_CONFIG: {"port", "clients": [...], "accounts":
// {"<sub>": {"name", "email", "groups": [...]}}}. Interactions are answered without a page:
// the account named by the authorization request's `login_hint` signs in and consents, so a
// test drives the whole authorization-code + PKCE flow over plain HTTP.
import http from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [jwk] },
  claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // false: scope claims (groups …) ride in the ID token; true: only userinfo serves them.
  conformIdTokenClaims: Boolean(config.conform),
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: config.id_token_ttl ?? 600, AuthorizationCode: 60 },
  async findAccount(_ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});
provider.proxy = false;

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  if (prompt.name === 'login') {
    const accountId = String(params.login_hint || '');
    if (!config.accounts[accountId]) {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'unknown account',
      });
    }
    return provider.interactionFinished(req, res, { login: { accountId } },
      { mergeWithLastSubmission: false });
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } },
    { mergeWithLastSubmission: true });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => { res.statusCode = 500; res.end(String(err)); });
    return;
  }
  callback(req, res);
});
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
