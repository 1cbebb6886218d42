import { ProviderPrice } from '../payment-provider';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (char) => ESCAPES[char]);

/** Tagged template: interpolated values are escaped unless they are already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let text = strings[0];
  values.forEach((value, index) => {
    const rendered = Array.isArray(value)
      ? value.map((item) => (item instanceof Html ? item.text : escapeHtml(item))).join('')
      : value instanceof Html
        ? value.text
        : value === null || value === undefined || value === false
          ? ''
          : escapeHtml(value);
    text += rendered + strings[index + 1];
  });
  return new Html(text);
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f6f7f9; }
  .banner { background: #fff3bf; border-bottom: 2px solid #e8a100; padding: .75rem 1.5rem; font-weight: 600; }
  main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: .5rem;
         box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
  dt { font-weight: 600; }
  dd { margin: 0; }
  form { display: inline-block; margin: 1rem .5rem 0 0; }
  button, .button { font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; border: 1px solid #444;
           background: #fff; cursor: pointer; text-decoration: none; color: inherit; display: inline-block; }
  button.primary { background: #1f4fd1; color: #fff; border-color: #1f4fd1; }
  button:focus-visible, .button:focus-visible, a:focus-visible { outline: 3px solid #e8a100; outline-offset: 2px; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  th, td { text-align: left; padding: .4rem; border-bottom: 1px solid #ddd; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .notice { padding: .75rem 1rem; background: #eef3ff; border-radius: .4rem; }
  pre { background: #f0f1f4; padding: .75rem 1rem; border-radius: .4rem; white-space: pre-wrap; }
  code { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
`;

/**
 * The sandbox's icon, inline: the Content-Security-Policy allows images from data: URLs, and a
 * page with an icon of its own makes the browser ask for no /favicon.ico.
 */
const ICON =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
      '<rect width="32" height="32" rx="6" fill="#e8a100"/>' +
      '<text x="16" y="23" font-family="system-ui,sans-serif" font-size="20" font-weight="700" ' +
      'text-anchor="middle" fill="#1a1a1a">S</text></svg>',
  );

export function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Sandbox</title>
        <link rel="icon" type="image/svg+xml" href="${ICON}" />
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <header class="banner">
          Sandbox: this is a test page of the billing sessions service. No real payment is taken.
        </header>
        <main>${body}</main>
      </body>
    </html>`.text;
}

export function money(amount: number | null, currency: string): string {
  if (amount === null) return '—';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );
}

const LONG_DAY = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });
const TIME = new Intl.DateTimeFormat('en-US', { timeStyle: 'short', timeZone: 'UTC', hourCycle: 'h23' });

/** A day as a person reads it ("March 31, 2031"), in UTC like the rest of the sandbox's dates. */
export function longDay(value: string | Date): string {
  return LONG_DAY.format(new Date(value));
}

/** A day as a person reads it, or a dash for none. */
export function day(value: string | Date | null): string {
  return value ? longDay(value) : '—';
}

/** A moment as a person reads it ("14:05 UTC on March 31, 2031"). */
export function moment(value: string | Date): string {
  return `${TIME.format(new Date(value))} UTC on ${longDay(value)}`;
}

/** A price as a person reads it ("$15.00 per month"); with a quantity, the total of that many. */
export function describePrice(price: ProviderPrice | null, priceId: string, quantity = 1): string {
  if (!price) return priceId;
  const amount = money(price.unitAmount === null ? null : price.unitAmount * quantity, price.currency);
  return price.interval ? `${amount} per ${price.interval}` : amount;
}

/** An invoice's lines (an estimate's, or a stored invoice's), as a named table. */
export function invoiceLinesTable(
  caption: string,
  lines: Array<{
    description: string;
    amount: number;
    period: { start: string | Date; end: string | Date } | null;
  }>,
  currency: string,
): Html {
  return html`<table>
    <caption class="visually-hidden">
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Description</th>
        <th scope="col">Period</th>
        <th scope="col">Amount</th>
      </tr>
    </thead>
    <tbody>
      ${lines.map(
        (line) =>
          html`<tr>
            <td>${line.description}</td>
            <td>${line.period ? `${day(line.period.start)} to ${day(line.period.end)}` : '—'}</td>
            <td>${money(line.amount, currency)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
