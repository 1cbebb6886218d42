import { Controller, Get, Header, Param, Post, Redirect, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProviderPrice } from '../payment-provider';
import { day, html, Html, money, page } from './sandbox-html';
import { SameOriginPostGuard, SAME_ORIGIN_REFERRER_POLICY } from './same-origin-post.guard';
import { SandboxFlow } from './sandbox-flow.service';
import { SandboxCheckoutSession, SandboxSubscription } from './sandbox-store';

const HTML = 'text/html; charset=utf-8';

function describePrice(price: ProviderPrice | null, priceId: string): string {
  if (!price) return priceId;
  const amount = money(price.unitAmount, price.currency);
  return price.interval ? `${amount} per ${price.interval}` : amount;
}

/**
 * The sandbox provider's hosted pages: plain HTML forms a person (or a test) can use. They exist
 * only while the sandbox provider is active (SandboxPagesModule is not loaded otherwise).
 */
@ApiExcludeController()
@Controller('sandbox')
@UseGuards(SameOriginPostGuard)
export class SandboxPagesController {
  constructor(private readonly flow: SandboxFlow) {}

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
    const subscriptions = view.subscriptions.map(({ subscription, price }) =>
      subscriptionSection(id, subscription, price),
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
}

function checkoutBody(session: SandboxCheckoutSession, price: ProviderPrice | null): Html {
  const product = price?.productName ?? session.priceId;
  const action = `/sandbox/checkout/${encodeURIComponent(session.id)}`;
  if (session.status !== 'open') {
    return html`<h1>Checkout</h1>
      <p class="notice" role="status">This checkout session is ${session.status}.</p>`;
  }
  return html`<h1>Checkout</h1>
    <p>
      Subscribe to
      <strong>${product}</strong>
      (${session.checkoutMode === 'payment' ? 'one-time payment' : 'subscription'}).
    </p>
    <dl>
      <dt>Price</dt>
      <dd data-testid="price">${describePrice(price, session.priceId)}</dd>
      <dt>Quantity</dt>
      <dd data-testid="quantity">${session.quantity}</dd>
      <dt>Trial</dt>
      <dd data-testid="trial">${session.trialDays ? `${session.trialDays}-day free trial` : 'No trial'}</dd>
      <dt>Expires</dt>
      <dd>${new Date(session.expiresAt).toISOString()}</dd>
    </dl>
    <form method="post" action="${action}/complete">
      <button type="submit" class="primary">
        ${session.checkoutMode === 'payment' ? 'Pay' : 'Subscribe'}
      </button>
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
): Html {
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
  </section>`;
}
