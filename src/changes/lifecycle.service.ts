import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Caller } from '../auth/principal';
import { ProviderMode } from '../config/app-config';
import { NotFoundError, SubscriptionNotChangeableError } from '../common/errors/domain-errors';
import { Database } from '../database/database';
import { CancellationChange, PaymentProvider } from '../payments/payment-provider';
import { SubscriptionView } from '../subscriptions/dto/my-subscription.dto';
import { ProviderStateService } from '../subscriptions/provider-state.service';
import { SubscriptionChangesRepository } from '../subscriptions/subscription-changes.repository';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { toSubscriptionView } from '../subscriptions/subscription-view';
import { LIVE_SUBSCRIPTION_STATUSES } from '../subscriptions/subscription.entity';

const MODE: ProviderMode = 'live';

/**
 * Cancel, resume, and withdraw a scheduled change, for the account's current subscription (the
 * one `me` shows). A cancellation first withdraws the service's own scheduled change: a
 * subscription that ends does not also change. Each answers the subscription as `me` would.
 */
@Injectable()
export class SubscriptionLifecycleService {
  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly changes: SubscriptionChangesRepository,
    private readonly state: ProviderStateService,
    private readonly provider: PaymentProvider,
    private readonly db: Database,
  ) {}

  async cancel(caller: Caller, atPeriodEnd: boolean): Promise<SubscriptionView> {
    const current = await this.live(caller);
    if (atPeriodEnd && current.cancelAtPeriodEnd)
      throw new SubscriptionNotChangeableError(
        'cancellation_pending',
        'The subscription is already set to end at the end of the period',
      );
    await this.withdrawScheduled(current.providerSubscriptionId);
    return this.change(caller, current.providerSubscriptionId, atPeriodEnd ? 'period_end' : 'now');
  }

  async resume(caller: Caller): Promise<SubscriptionView> {
    const current = await this.current(caller);
    if (current.status === 'canceled')
      throw new SubscriptionNotChangeableError(
        'canceled',
        'The subscription has ended; start a new one instead',
      );
    if (!current.cancelAtPeriodEnd && !current.cancelAt)
      throw new SubscriptionNotChangeableError('not_canceling', 'The subscription is not set to end');
    return this.change(caller, current.providerSubscriptionId, 'resume');
  }

  async withdrawPendingChange(caller: Caller): Promise<SubscriptionView> {
    const current = await this.current(caller);
    if (!current.pendingChange) throw new NotFoundError('No change is scheduled');
    await this.withdrawScheduled(current.providerSubscriptionId);
    return this.view(caller);
  }

  private async current(caller: Caller) {
    const current = await this.subscriptions.findCurrent(caller.accountId, this.provider.name, MODE);
    if (!current) throw new NotFoundError('No subscription exists for this account');
    return current;
  }

  private async live(caller: Caller) {
    const current = await this.current(caller);
    if (!LIVE_SUBSCRIPTION_STATUSES.includes(current.status))
      throw new SubscriptionNotChangeableError(current.status, `The subscription is ${current.status}`);
    return current;
  }

  /** Releases the service's scheduled change of the subscription, if there is one. */
  private async withdrawScheduled(subscriptionId: string): Promise<void> {
    const scheduled = await this.changes.findScheduled(this.provider.name, subscriptionId);
    if (!scheduled?.scheduleId) return;
    const fetched = await this.provider.releaseSchedule(
      MODE,
      scheduled.scheduleId,
      `release-${scheduled.id}`,
    );
    await this.db.transaction(async (tx) => {
      await this.state.open(tx, scheduled);
      if (await this.changes.transition(scheduled.id, 'scheduled', 'withdrawn', {}, tx))
        await this.state.changesMoved([scheduled], 'withdrawn', tx);
      if (fetched) await this.state.storeFetched(fetched, MODE, tx);
    });
  }

  private async change(
    caller: Caller,
    subscriptionId: string,
    change: CancellationChange,
  ): Promise<SubscriptionView> {
    const fetched = await this.provider.changeCancellation(
      MODE,
      subscriptionId,
      change,
      `cancellation-${change}-${randomUUID()}`,
    );
    await this.db.transaction((tx) => this.state.storeFetched(fetched, MODE, tx));
    return this.view(caller);
  }

  private async view(caller: Caller): Promise<SubscriptionView> {
    const record = await this.current(caller);
    return toSubscriptionView(record);
  }
}
