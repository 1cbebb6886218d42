import { Injectable } from '@nestjs/common';
import { AppConfig, ProviderMode } from '../config/app-config';
import { InvalidPriceError } from '../common/errors/domain-errors';
import { CheckoutMode, PaymentProvider, ProviderPrice } from '../payments/payment-provider';

const MAX_CACHED_PRICES = 1_000;

/**
 * A caller can only buy what the operator offers: a price the provider knows as active, of the
 * kind the checkout mode needs, and on ALLOWED_PRICE_IDS when that is set. What the provider
 * says about a price is cached for PRICE_CACHE_TTL_MS, and one lookup of a price is in flight at a
 * time: requests that miss the cache together share it.
 */
@Injectable()
export class PriceCatalog {
  private readonly cache = new Map<string, { price: ProviderPrice | null; until: number }>();
  private readonly inFlight = new Map<string, Promise<ProviderPrice | null>>();

  constructor(
    private readonly provider: PaymentProvider,
    private readonly config: AppConfig,
  ) {}

  async assertPurchasable(mode: ProviderMode, priceId: string, checkoutMode: CheckoutMode): Promise<void> {
    if (this.config.allowedPriceIds && !this.config.allowedPriceIds.has(priceId))
      throw new InvalidPriceError();
    const price = await this.lookup(mode, priceId);
    const kind = checkoutMode === 'subscription' ? 'recurring' : 'one_time';
    if (!price || !price.active || price.type !== kind) throw new InvalidPriceError();
  }

  private async lookup(mode: ProviderMode, priceId: string): Promise<ProviderPrice | null> {
    const key = `${mode}:${priceId}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.price;
    let lookup = this.inFlight.get(key);
    if (!lookup) {
      lookup = this.provider.retrievePrice(mode, priceId).then((price) => {
        if (this.cache.size >= MAX_CACHED_PRICES) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, { price, until: Date.now() + this.config.priceCacheTtlMs });
        return price;
      });
      this.inFlight.set(key, lookup);
      void lookup.finally(() => this.inFlight.delete(key)).catch(() => undefined);
    }
    return lookup;
  }
}
