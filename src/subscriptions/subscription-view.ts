import { SubscriptionView } from './dto/my-subscription.dto';
import { SubscriptionRecord } from './subscriptions.repository';

/** A stored subscription as `me` shows it (and outbound events carry it). */
export function toSubscriptionView(record: SubscriptionRecord): SubscriptionView {
  const cancelAt = record.cancelAt ?? (record.cancelAtPeriodEnd ? record.currentPeriodEnd : null);
  const pending = record.pendingChange;
  return {
    id: record.providerSubscriptionId,
    status: record.status,
    priceId: record.priceId,
    quantity: record.quantity,
    trialEnd: record.trialEnd?.toISOString() ?? null,
    currentPeriodStart: record.currentPeriodStart?.toISOString() ?? null,
    currentPeriodEnd: record.currentPeriodEnd?.toISOString() ?? null,
    cancelAtPeriodEnd: record.cancelAtPeriodEnd,
    cancelAt: cancelAt?.toISOString() ?? null,
    pendingChange:
      pending && pending.effectiveAt.getTime() > Date.now()
        ? {
            priceId: pending.priceId,
            quantity: pending.quantity,
            effectiveAt: pending.effectiveAt.toISOString(),
          }
        : null,
    mode: record.mode === 'test' ? 'test' : 'live',
    otherLiveSubscriptions: record.otherLiveSubscriptions,
  };
}
