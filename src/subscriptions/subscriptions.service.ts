import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Caller } from '../auth/principal';
import { ProviderMode } from '../config/app-config';
import { NotFoundError } from '../common/errors/domain-errors';
import { RedirectUrlPolicy } from '../common/redirect/redirect-url.policy';
import { CustomersService } from '../customers/customers.service';
import { HostedSession, PaymentProvider } from '../payments/payment-provider';
import { SubscriptionView } from './dto/my-subscription.dto';
import { CurrentSubscriptionCache } from './current-subscription-cache';
import { SubscriptionsRepository } from './subscriptions.repository';
import { toSubscriptionView } from './subscription-view';

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly customers: CustomersService,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly provider: PaymentProvider,
    private readonly redirects: RedirectUrlPolicy,
    private readonly current: CurrentSubscriptionCache,
  ) {}

  /**
   * The portal endpoint: the provider's billing portal, for any account with a provider customer (a
   * cancelled subscriber too: people must reach their invoices).
   */
  async createPortalSession(caller: Caller, returnUrl: string): Promise<HostedSession> {
    const allowedReturnUrl = this.redirects.assertAllowed('returnUrl', returnUrl);
    const mode: ProviderMode = 'live';
    const customerId = await this.customers.findProviderCustomerId(caller.accountId, mode);
    if (!customerId) throw new NotFoundError('No billing customer exists for this account yet');
    return this.provider.createPortalSession({
      mode,
      customerId,
      returnUrl: allowedReturnUrl,
      idempotencyKey: `portal-${randomUUID()}`,
    });
  }

  async findMySubscription(caller: Caller, mode: ProviderMode): Promise<SubscriptionView | null> {
    if (!this.provider.supportsMode(mode)) throw new NotFoundError('Test mode is not configured');
    const provider = this.provider.name;
    const record = await this.current.read(caller.accountId, mode, () =>
      this.subscriptions.findCurrent(caller.accountId, provider, mode),
    );
    return record ? toSubscriptionView(record) : null;
  }
}
