import { Injectable } from '@nestjs/common';
import { AccountsRepository } from '../../accounts/accounts.repository';
import { assertMayActFor } from '../../auth/acting-for';
import { ADMIN_SCOPE, Principal } from '../../auth/principal';
import { ForbiddenError, NotFoundError } from '../../common/errors/domain-errors';
import { SubscriptionView } from '../../subscriptions/dto/my-subscription.dto';
import { SubscriptionsRepository } from '../../subscriptions/subscriptions.repository';
import { toSubscriptionView } from '../../subscriptions/subscription-view';
import { SandboxFlow } from './sandbox-flow.service';
import { SandboxStore, SandboxSubscription } from './sandbox-store';

/** The sandbox controls' own refusal: the portal's buttons by API are an operator's tool. */
export class SandboxControlsNeedAdminError extends ForbiddenError {
  constructor() {
    super('The sandbox controls need a credential with the admin scope');
  }
}

/**
 * The sandbox portal's test controls, by API (Stripe's test clocks are the model): for a
 * credential with the admin scope, on a subscription of its own account or of one it may act
 * for, as the `accountId` override decides it (a grant, or a platform admin). Each answers the
 * account's subscription as GET /api/subscriptions/me then shows it.
 */
@Injectable()
export class SandboxControls {
  constructor(
    private readonly flow: SandboxFlow,
    private readonly store: SandboxStore,
    private readonly accounts: AccountsRepository,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  async advanceToRenewal(principal: Principal, subscriptionId: string): Promise<SubscriptionView | null> {
    const { subscription, accountId } = await this.controllable(principal, subscriptionId);
    await this.flow.renewSubscription(subscription.id);
    return this.current(accountId, subscription);
  }

  async endTrial(principal: Principal, subscriptionId: string): Promise<SubscriptionView | null> {
    const { subscription, accountId } = await this.controllable(principal, subscriptionId);
    await this.flow.endTrialOf(subscription.id);
    return this.current(accountId, subscription);
  }

  async failNextPayment(principal: Principal, subscriptionId: string): Promise<SubscriptionView | null> {
    const { subscription, accountId } = await this.controllable(principal, subscriptionId);
    await this.flow.failNextPaymentOf(subscription.id);
    return this.current(accountId, subscription);
  }

  /** The subscription and its account, once the principal is known to may act for that account. */
  private async controllable(
    principal: Principal,
    subscriptionId: string,
  ): Promise<{ subscription: SandboxSubscription; accountId: string }> {
    if (!principal.scopes.has(ADMIN_SCOPE)) throw new SandboxControlsNeedAdminError();
    const subscription = await this.store.get('subscription', subscriptionId);
    const customer = subscription ? await this.store.get('customer', subscription.customerId) : null;
    if (!subscription || !customer) throw new NotFoundError('No such subscription');
    await assertMayActFor(this.accounts, principal, customer.accountId);
    return { subscription, accountId: customer.accountId };
  }

  private async current(
    accountId: string,
    subscription: SandboxSubscription,
  ): Promise<SubscriptionView | null> {
    const record = await this.subscriptions.findCurrent(accountId, 'sandbox', subscription.mode);
    return record ? toSubscriptionView(record) : null;
  }
}
