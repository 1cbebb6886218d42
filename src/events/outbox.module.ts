import { Module } from '@nestjs/common';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository';
import { DispatchSignal } from './dispatch-signal';
import { Outbox } from './outbox';

/**
 * The stored subscriptions and the outbox that tells of their changes: every module that writes
 * an account's records imports this one, so that its writes and their events go together.
 */
@Module({
  providers: [Outbox, DispatchSignal, SubscriptionsRepository],
  exports: [Outbox, DispatchSignal, SubscriptionsRepository],
})
export class OutboxModule {}
