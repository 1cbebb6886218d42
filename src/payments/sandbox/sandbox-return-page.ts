import { html, Html } from './sandbox-html';

/** How much of a query the page shows: enough for any redirect, not a page made of someone's input. */
const MAX_PARAMETERS = 20;
const MAX_VALUE_LENGTH = 500;

/** Swagger UI's deep link to GET /api/subscriptions/me (tag, then operation id). */
export const ME_DOCS_PATH = '/docs#/subscriptions/SubscriptionsController_getMySubscription';

interface Outcome {
  title: string;
  says: string;
}

/** What the outcome parameters the README's example URLs carry mean, in a person's words. */
function outcomeOf(query: Map<string, string>): Outcome {
  const checkout = query.get('checkout');
  const change = query.get('change');
  if (checkout === 'success') {
    return {
      title: 'Checkout complete',
      says: "The sandbox recorded the checkout as Stripe's webhooks would: the subscription is already in GET /api/subscriptions/me.",
    };
  }
  if (checkout === 'cancelled' || checkout === 'canceled') {
    return {
      title: 'Checkout cancelled',
      says: 'Nothing was bought. The checkout session stays open until it expires.',
    };
  }
  if (query.get('portal') === 'returned') {
    return {
      title: 'Back from the billing portal',
      says: 'What was done in the portal is already in GET /api/subscriptions/me.',
    };
  }
  if (change === 'cancelled' || change === 'canceled') {
    return { title: 'Change cancelled', says: 'The subscription keeps its terms.' };
  }
  if (change !== undefined) {
    return {
      title: 'Change confirmed',
      says: 'The change is made, or scheduled for the end of the period: GET /api/subscriptions/me shows which.',
    };
  }
  return {
    title: 'Back from the sandbox',
    says: 'This is where the sandbox redirected to; below is what the redirect brought back.',
  };
}

function parameters(query: Record<string, unknown>): Map<string, string> {
  const shown = new Map<string, string>();
  for (const [name, value] of Object.entries(query).slice(0, MAX_PARAMETERS)) {
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    shown.set(name.slice(0, MAX_VALUE_LENGTH), text.slice(0, MAX_VALUE_LENGTH));
  }
  return shown;
}

/**
 * The landing page success, cancel and return URLs can point at while there is no application
 * yet (`/sandbox/return?checkout=success&session_id={CHECKOUT_SESSION_ID}`): what came back, and
 * where to look next.
 */
export function returnBody(query: Record<string, unknown>, publicUrl: string): { title: string; body: Html } {
  const shown = parameters(query);
  const { title, says } = outcomeOf(shown);
  return {
    title,
    body: html`<h1>${title}</h1>
      <p class="notice" role="status" data-testid="outcome">${says}</p>
      <h2>What came back</h2>
      ${
        shown.size
          ? html`<dl data-testid="query">
              ${[...shown].map(
                ([name, value]) =>
                  html`<dt>${name}</dt>
                    <dd><code>${value}</code></dd>`,
              )}
            </dl>`
          : html`<p>Nothing: this URL has no query.</p>`
      }
      <h2>What to do next</h2>
      <p>
        Ask the service for the account's subscription, with the API key the checkout was made with: it shows
        the state the sandbox's events left it in.
      </p>
      <pre><code>curl -s ${publicUrl}/api/subscriptions/me -H "x-api-key: bsk_…"</code></pre>
      <p><a href="${ME_DOCS_PATH}">GET /api/subscriptions/me in the API documentation</a></p>
      <p><a href="/docs">API documentation</a></p>`,
  };
}
