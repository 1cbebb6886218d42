import { Controller, Get, Header, Param, Post, Query, Redirect } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ProviderPrice } from '../payment-provider';
import {
  day,
  describePrice,
  html,
  Html,
  invoiceLinesTable,
  longDay,
  moment,
  money,
  page,
} from './sandbox-html';
import { SAME_ORIGIN_REFERRER_POLICY } from './same-origin-post.guard';
import { HTML, SandboxPages } from './sandbox-page-edge';
import { returnBody } from './sandbox-return-page';
import { SandboxFlow } from './sandbox-flow.service';
import {
  SandboxCheckoutSession,
  SandboxCustomer,
  SandboxInvoice,
  SandboxSubscription,
} from './sandbox-store';

/**
 * The sandbox provider's hosted pages: plain HTML forms a person (or a test) can use. They exist
 * only while the sandbox provider is active (SandboxPagesModule is not loaded otherwise).
 */
@SandboxPages()
@Controller('sandbox')
export class SandboxPagesController {
  constructor(
    private readonly flow: SandboxFlow,
    private readonly config: AppConfig,
  ) {}

  /**
   * Where success, cancel and return URLs can point while there is no application yet: what came
   * back, and where to look next.
   */
  @Get('return')
  @Header('content-type', HTML)
  returnPage(@Query() query: Record<string, unknown>): string {
    const { title, body } = returnBody(query, this.config.publicUrl);
    return page(title, body);
  }

  @Get('checkout/:id')
  @Header('content-type', HTML)
  @Header('referrer-policy', SAME_ORIGIN_REFERRER_POLICY)
  async checkoutPage(@Param('id') id: string): Promise<string> {
    const { session, price } = await this.flow.checkout(id);
    return page('Checkout', checkoutBody(session, price));
  }

  @Post('checkout/:id/complete')
  @Redirect()
  async complete(@Param('id') id: string) {
    return { url: await this.flow.complete(id), statusCode: 303 };
  }

  @Post('checkout/:id/cancel')
  @Redirect()
  async cancel(@Param('id') id: string) {
    const cancelUrl = await this.flow.cancelUrl(id);
    return { url: cancelUrl ?? `/sandbox/checkout/${encodeURIComponent(id)}`, statusCode: 303 };
  }

  @Get('portal/:id')
  @Header('content-type', HTML)
  @Header('referrer-policy', SAME_ORIGIN_REFERRER_POLICY)
  async portalPage(@Param('id') id: string): Promise<string> {
    const view = await this.flow.portal(id);
    const prices = this.flow.prices();
    const subscriptions = view.subscriptions.map(({ subscription, price }) =>
      subscriptionSection(id, subscription, price, prices),
    );
    const invoices = view.invoices.map(
      (invoice) =>
        html`<tr>
          <td>${day(invoice.createdAt)}</td>
          <td>${invoice.description}</td>
          <td>${money(invoice.amount, invoice.currency)}</td>
          <td>${invoice.status}</td>
        </tr>`,
    );
    return page(
      'Billing portal',
      html`<h1>Billing portal</h1>
        <h2>Subscriptions</h2>
        ${subscriptions.length ? subscriptions : html`<p>No subscriptions.</p>`}
        <h2>Invoices</h2>
        ${
          invoices.length
            ? html`<table>
                <caption class="visually-hidden">
                  Invoices
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Description</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  ${invoices}
                </tbody>
              </table>`
            : html`<p>No invoices yet.</p>`
        }
        ${testControls(id, view.customer)}
        <p><a class="button" href="${view.session.returnUrl}">Return to the application</a></p>`,
    );
  }

  @Post('portal/:id/subscriptions/:subscriptionId/cancel')
  @Redirect()
  async cancelAtPeriodEnd(@Param('id') id: string, @Param('subscriptionId') subscriptionId: string) {
    await this.flow.setCancelAtPeriodEnd(id, subscriptionId, true);
    return { url: `/sandbox/portal/${encodeURIComponent(id)}`, statusCode: 303 };
  }

  @Post('portal/:id/subscriptions/:subscriptionId/resume')
  @Redirect()
  async resume(@Param('id') id: string, @Param('subscriptionId') subscriptionId: string) {
    await this.flow.setCancelAtPeriodEnd(id, subscriptionId, false);
    return { url: `/sandbox/portal/${encodeURIComponent(id)}`, statusCode: 303 };
  }

  @Post('portal/:id/subscriptions/:subscriptionId/renew')
  @Redirect()
  async renew(@Param('id') id: string, @Param('subscriptionId') subscriptionId: string) {
    await this.flow.renew(id, subscriptionId);
    return { url: `/sandbox/portal/${encodeURIComponent(id)}`, statusCode: 303 };
  }

  @Post('portal/:id/subscriptions/:subscriptionId/end-trial')
  @Redirect()
  async endTrial(@Param('id') id: string, @Param('subscriptionId') subscriptionId: string) {
    await this.flow.endTrial(id, subscriptionId);
    return { url: `/sandbox/portal/${encodeURIComponent(id)}`, statusCode: 303 };
  }

  @Post('portal/:id/fail-next-payment')
  @Redirect()
  async failNextPayment(@Param('id') id: string) {
    await this.flow.setFailNextPayment(id, true);
    return { url: `/sandbox/portal/${encodeURIComponent(id)}`, statusCode: 303 };
  }

  @Post('portal/:id/pay-next-payment')
  @Redirect()
  async payNextPayment(@Param('id') id: string) {
    await this.flow.setFailNextPayment(id, false);
    return { url: `/sandbox/portal/${encodeURIComponent(id)}`, statusCode: 303 };
  }

  /** Where a failed change payment points (AppliedChange.invoiceUrl). */
  @Get('invoice/:id')
  @Header('content-type', HTML)
  @Header('referrer-policy', SAME_ORIGIN_REFERRER_POLICY)
  async invoicePage(@Param('id') id: string): Promise<string> {
    return page('Invoice', invoiceBody(await this.flow.invoice(id)));
  }
}

function invoiceBody(invoice: SandboxInvoice): Html {
  return html`<h1>Invoice</h1>
    ${
      invoice.status === 'unpaid'
        ? html`<p class="notice" role="status">
            ${
              invoice.billingReason === 'subscription_cycle'
                ? 'The payment of this invoice failed: the subscription is past due.'
                : 'The payment of this invoice failed: the subscription keeps its current terms.'
            }
          </p>`
        : null
    }
    <dl>
      <dt>Date</dt>
      <dd>${longDay(invoice.createdAt)}</dd>
      <dt>Description</dt>
      <dd>${invoice.description}</dd>
      <dt>Amount</dt>
      <dd data-testid="amount">${money(invoice.amount, invoice.currency)}</dd>
      <dt>Status</dt>
      <dd data-testid="invoice-status">${invoice.status}</dd>
    </dl>
    ${invoice.lines?.length ? invoiceLinesTable('Invoice lines', invoice.lines, invoice.currency) : null}`;
}

/** The sandbox's own switches, which a real provider has no button for. */
function testControls(portalId: string, customer: SandboxCustomer | null): Html | null {
  if (!customer) return null;
  const base = `/sandbox/portal/${encodeURIComponent(portalId)}`;
  return html`<h2>Test controls</h2>
    ${
      customer.failNextPayment
        ? html`<p class="notice" role="status" data-testid="fail-next-payment">The next payment will fail.</p>
            <form method="post" action="${base}/pay-next-payment">
              <button type="submit">Let the next payment succeed</button>
            </form>`
        : html`<p>
              Make the next payment fail: the next renewal (the subscription goes past due), the end of a
              trial, or a change that charges something.
            </p>
            <form method="post" action="${base}/fail-next-payment">
              <button type="submit">Fail the next payment</button>
            </form>`
    }`;
}

function checkoutBody(session: SandboxCheckoutSession, price: ProviderPrice | null): Html {
  const product = price?.productName ?? session.priceId;
  const action = `/sandbox/checkout/${encodeURIComponent(session.id)}`;
  const oneTime = session.checkoutMode === 'payment';
  if (session.status !== 'open') {
    return html`<h1>Checkout</h1>
      <p class="notice" role="status">This checkout session is ${session.status}.</p>`;
  }
  return html`<h1>Checkout</h1>
    <p>
      ${oneTime ? 'Buy' : 'Subscribe to'}
      <strong>${product}</strong>
      (${oneTime ? 'one-time payment' : 'subscription'}).
    </p>
    <dl>
      <dt>Price</dt>
      <dd data-testid="price">${describePrice(price, session.priceId)}</dd>
      <dt>Quantity</dt>
      <dd data-testid="quantity">${session.quantity}</dd>
      ${
        session.quantity > 1 && price
          ? html`<dt>Total</dt>
              <dd data-testid="total">${describePrice(price, session.priceId, session.quantity)}</dd>`
          : null
      }
      ${
        oneTime
          ? null
          : html`<dt>Trial</dt>
              <dd data-testid="trial">
                ${session.trialDays ? `${session.trialDays}-day free trial` : 'No trial'}
              </dd>`
      }
      <dt>Expires</dt>
      <dd data-testid="expires">${moment(session.expiresAt)}</dd>
    </dl>
    <form method="post" action="${action}/complete">
      <button type="submit" class="primary">${oneTime ? 'Buy' : 'Subscribe'}</button>
    </form>
    ${
      session.cancelUrl
        ? html`<form method="post" action="${action}/cancel"><button type="submit">Cancel</button></form>`
        : null
    }`;
}

function subscriptionSection(
  portalId: string,
  subscription: SandboxSubscription,
  price: ProviderPrice | null,
  prices: Map<string, ProviderPrice>,
): Html {
  const schedule = subscription.schedule;
  const scheduledPrice = schedule ? (prices.get(schedule.priceId) ?? null) : null;
  const base = `/sandbox/portal/${encodeURIComponent(portalId)}/subscriptions/${encodeURIComponent(subscription.id)}`;
  const ends = subscription.cancelAtPeriodEnd;
  return html`<section aria-labelledby="${subscription.id}-title">
    <h3 id="${subscription.id}-title">${price?.productName ?? subscription.priceId}</h3>
    <dl>
      <dt>Status</dt>
      <dd data-testid="status">${subscription.status}</dd>
      <dt>Price</dt>
      <dd>${describePrice(price, subscription.priceId)} × ${subscription.quantity}</dd>
      <dt>Trial ends</dt>
      <dd>${day(subscription.trialEnd)}</dd>
      <dt>${ends ? 'Ends on' : 'Renews on'}</dt>
      <dd data-testid="period-end">${day(subscription.currentPeriodEnd)}</dd>
      ${
        schedule
          ? html`<dt>Scheduled change</dt>
              <dd data-testid="scheduled-change">
                ${scheduledPrice?.productName ?? schedule.priceId},
                ${describePrice(scheduledPrice, schedule.priceId)} × ${schedule.quantity}, at the renewal
              </dd>`
          : null
      }
    </dl>
    ${
      subscription.status === 'canceled'
        ? null
        : ends
          ? html`<p class="notice" role="status">Cancels at the end of the period.</p>
              <form method="post" action="${base}/resume">
                <button type="submit">Keep subscription</button>
              </form>`
          : html`<form method="post" action="${base}/cancel">
              <button type="submit">Cancel at period end</button>
            </form>`
    }
    ${
      subscription.status === 'canceled'
        ? null
        : html`<form method="post" action="${base}/renew">
              <button type="submit">Advance to the next renewal</button>
            </form>
            ${
              subscription.status === 'trialing'
                ? html`<form method="post" action="${base}/end-trial">
                    <button type="submit">End the trial now</button>
                  </form>`
                : null
            }`
    }
  </section>`;
}
