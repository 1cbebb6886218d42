import { Module } from '@nestjs/common';
import { CurrentSubscriptionCache } from '../subscriptions/current-subscription-cache';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { DispatchSignal } from './dispatch-signal';
import { Outbox } from './outbox';

/**
 * The stored subscriptions and the outbox that tells of their changes: every module that writes
 * an account's records imports this one, so that its writes and their events go together.
 */
@Module({
  providers: [Outbox, DispatchSignal, SubscriptionsRepository, CurrentSubscriptionCache],
  exports: [Outbox, DispatchSignal, SubscriptionsRepository, CurrentSubscriptionCache],
})
export class OutboxModule {}
