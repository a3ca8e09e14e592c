/**
 * The application secrets: third-party credentials the services read. This is the one place a
 * secret is declared; a service's `secrets` list names entries of this table, and a name that is
 * not here is refused (a typo must not create an empty secret and leave the real one unread).
 * Each becomes one Secrets Manager secret `lma-<environment>/<name>`, created empty: an operator
 * puts the value, so neither the synthesized JSON nor the Terraform state holds it.
 */
export const APPLICATION_SECRETS = {
  "credit-bureau-api-key": {
    description: "API key of the credit bureau the loan service pulls reports from",
    rotated: false,
  },
  "esignature-api-key": {
    description: "API key of the e-signature provider the document service sends envelopes through",
    rotated: false,
  },
  "market-data-api-key": {
    description: "API key of the market-data feed the trade service prices against",
    rotated: false,
  },
  "identity-provider-client-secret": {
    description: "OIDC client secret of the auth service at the identity provider",
    rotated: false,
  },
  "email-provider-api-key": {
    description: "API key of the transactional e-mail provider",
    rotated: false,
  },
  "sms-provider-api-key": {
    description: "API key of the SMS provider",
    rotated: false,
  },
} satisfies Record<string, { description: string; rotated: boolean }>;

/** The declarations as the list an environment carries (`applicationSecrets`). */
export function declaredSecrets(): { name: string; description: string; rotated: boolean }[] {
  return Object.entries(APPLICATION_SECRETS).map(([name, declaration]) => ({ name, ...declaration }));
}
