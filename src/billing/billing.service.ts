import { Injectable } from '@nestjs/common';
import { Caller } from '../auth/principal';
import { ProviderMode } from '../config/app-config';
import { CheckoutService, DEFAULT_CHECKOUT_EXPIRY_MINUTES } from '../subscriptions/checkout.service';
import { CheckoutSessionData, CreateCheckoutRequest } from './dto/create-checkout.dto';

@Injectable()
export class BillingService {
  constructor(private readonly checkout: CheckoutService) {}

  /** The checkout endpoint (docs/api.md#checkout): a checkout for any price the operator offers. */
  async createCheckout(
    caller: Caller,
    request: CreateCheckoutRequest,
    mode: ProviderMode,
  ): Promise<CheckoutSessionData> {
    const session = await this.checkout.start({
      accountId: caller.accountId,
      mode,
      checkoutMode: request.mode ?? 'subscription',
      priceId: request.priceId,
      quantity: request.quantity ?? 1,
      successUrl: request.successUrl,
      cancelUrl: request.cancelUrl,
      metadata: request.metadata,
      allowExistingSubscription: request.allowExistingSubscription ?? false,
      expiresInMinutes: request.expiresInMinutes ?? DEFAULT_CHECKOUT_EXPIRY_MINUTES,
      verifyPrice: true,
    });
    return { sessionId: session.id, url: session.url };
  }
}
