import { PROVIDER_ID_PATTERN } from '../../common/validation/provider-id';
import { Controller, Get, Header, Param, Post, Redirect } from '@nestjs/common';
import { DomainError, NotFoundError } from '../../common/errors/domain-errors';
import { ERROR_STATUS } from '../../common/errors/error-code';
import { HostedChanges, HostedChangeView } from '../hosted-changes';
import { InvoiceEstimate, ProviderPrice } from '../payment-provider';
import { SAME_ORIGIN_REFERRER_POLICY } from './same-origin-post.guard';
import { HTML, SandboxPages } from './sandbox-page-edge';
import { SandboxPaymentProvider } from './sandbox-payment-provider';
import { describePrice, html, Html, invoiceLinesTable, longDay, moment, money, page } from './sandbox-html';

/**
 * The sandbox's page where a person confirms a change of their subscription (the sandbox's
 * counterpart of Stripe's billing portal deep link). The change checkout itself is the
 * service's (HostedChanges): this page shows it, and confirms or cancels it.
 */
@SandboxPages()
@Controller('sandbox/change')
export class SandboxChangePagesController {
  constructor(
    private readonly changes: HostedChanges,
    private readonly provider: SandboxPaymentProvider,
  ) {}

  @Get(':id')
  @Header('content-type', HTML)
  @Header('referrer-policy', SAME_ORIGIN_REFERRER_POLICY)
  async changePage(@Param('id') id: string): Promise<string> {
    const view = PROVIDER_ID_PATTERN.test(id) ? await this.changes.view(id) : null;
    if (!view) throw new NotFoundError('No such change');
    return page('Confirm your change', changeBody(view, this.provider.prices()));
  }

  @Post(':id/confirm')
  @Redirect()
  async confirm(@Param('id') id: string) {
    if (!PROVIDER_ID_PATTERN.test(id)) throw new NotFoundError('No such change');
    try {
      return { url: (await this.changes.confirm(id)).redirectUrl, statusCode: 303 };
    } catch (error) {
      // Refused (stale, expired, its payment failed, another confirmation in flight): back to the
      // page, which says what became of the change, instead of a JSON error in the person's tab.
      if (!(error instanceof DomainError) || ![402, 409].includes(ERROR_STATUS[error.code])) throw error;
      return { url: `/sandbox/change/${encodeURIComponent(id)}`, statusCode: 303 };
    }
  }

  @Post(':id/cancel')
  @Redirect()
  async cancel(@Param('id') id: string) {
    if (!PROVIDER_ID_PATTERN.test(id)) throw new NotFoundError('No such change');
    return { url: (await this.changes.cancel(id)).redirectUrl, statusCode: 303 };
  }
}

/** What became of a change that can no longer be confirmed, in a person's words. */
const STATUS_WORDS: Record<string, string> = {
  applied: 'This change has been made.',
  scheduled: 'This change is scheduled for the end of the period.',
  applying: 'This change is being made; reload the page in a moment.',
  canceled: 'This change was cancelled.',
  expired: 'This change has expired; start again from the application.',
  stale: 'The subscription changed since this page was made; start again from the application.',
  payment_failed: 'The payment for this change failed; the subscription is unchanged.',
  withdrawn: 'This change was withdrawn.',
};

function changeBody(view: HostedChangeView, prices: Map<string, ProviderPrice>): Html {
  const terms = (side: { priceId: string; quantity: number }) => {
    const price = prices.get(side.priceId) ?? null;
    return html`<strong>${price?.productName ?? side.priceId}</strong>, ${describePrice(price, side.priceId)}
      × ${side.quantity}`;
  };
  if (view.status !== 'open') {
    return html`<h1>Confirm your change</h1>
      <p class="notice" role="status">${STATUS_WORDS[view.status] ?? `This change is ${view.status}.`}</p>`;
  }
  const action = `/sandbox/change/${encodeURIComponent(view.sessionId)}`;
  const current = view.estimates.currentInvoice;
  const next = view.estimates.nextInvoice;
  return html`<h1>Confirm your change</h1>
    <dl>
      <dt>Now</dt>
      <dd data-testid="from">${terms(view.from)}</dd>
      <dt>Changes to</dt>
      <dd data-testid="to">${terms(view.to)}</dd>
      <dt>Takes effect</dt>
      <dd data-testid="effective">
        ${view.timing === 'immediate' ? 'Now' : `At the end of the period, on ${longDay(view.effectiveAt)}`}
      </dd>
      <dt>Trial</dt>
      <dd data-testid="trial">${trialEffect(view.trial)}</dd>
      <dt>Due now</dt>
      <dd data-testid="due-now">${current ? money(current.amountDue, current.currency) : money(0, 'usd')}</dd>
      <dt>Next invoice</dt>
      <dd data-testid="next-invoice">${next ? nextInvoice(next) : 'None'}</dd>
      <dt>Offer expires</dt>
      <dd data-testid="expires">${moment(view.expiresAt)}</dd>
    </dl>
    ${
      current && current.lines.length
        ? html`<h2>Due now</h2>
            ${invoiceLinesTable('Due now', current.lines, current.currency)}
            <p data-testid="total">${totalLine(current)}</p>`
        : null
    }
    <form method="post" action="${action}/confirm">
      <button type="submit" class="primary">Confirm</button>
    </form>
    <form method="post" action="${action}/cancel"><button type="submit">Cancel</button></form>`;
}

function trialEffect(trial: HostedChangeView['trial']): string {
  if (trial.effect === 'ended') return 'Your trial ends now.';
  if (trial.effect === 'kept') {
    return trial.endsAt
      ? `Your trial goes on until ${longDay(trial.endsAt)}; the new terms are charged when it ends.`
      : 'Your trial goes on; the new terms are charged when it ends.';
  }
  return 'No trial';
}

const totalLine = (invoice: InvoiceEstimate) =>
  `Total ${money(invoice.total, invoice.currency)}` +
  (invoice.total < 0 ? ', kept as credit for your next invoices.' : '.');

const nextInvoice = (invoice: InvoiceEstimate) =>
  `${money(invoice.amountDue, invoice.currency)} on ${longDay(invoice.date)}`;
