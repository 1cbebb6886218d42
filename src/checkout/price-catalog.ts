import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig, ProviderMode } from '../config/app-config';
import { InvalidPriceError } from '../common/errors/domain-errors';
import { CheckoutMode, PaymentProvider, ProviderPrice } from '../payments/payment-provider';

const MAX_CACHED_PRICES = 1_000;
/**
 * How many of ALLOWED_PRICE_IDS are looked up at once when none is cached: a long list must not
 * burst past the provider's read limit (Stripe allows 25 a second in test mode).
 */
const LOOKUPS_AT_ONCE = 8;

/**
 * A caller can only buy what the operator offers: a price the provider knows as active, of the
 * kind the checkout mode needs, and on ALLOWED_PRICE_IDS when that is set. What the provider
 * says about a price is cached for PRICE_CACHE_TTL_MS, and one lookup of a price is in flight at a
 * time: requests that miss the cache together share it.
 */
@Injectable()
export class PriceCatalog {
  /** `fetch` shares one lookup among the requests that miss together; a failed one is not kept. */
  private readonly prices: LRUCache<
    string,
    { price: ProviderPrice | null },
    { mode: ProviderMode; priceId: string }
  >;

  /** The provider's listing of its prices, per mode; shared and kept like the lookups. */
  private readonly listings: LRUCache<ProviderMode, { prices: ProviderPrice[] }>;

  constructor(
    private readonly provider: PaymentProvider,
    private readonly config: AppConfig,
  ) {
    this.listings = new LRUCache({
      max: 2,
      ttl: config.priceCacheTtlMs,
      fetchMethod: async (mode) => ({ prices: await this.provider.listPrices(mode) }),
    });
    this.prices = new LRUCache({
      max: MAX_CACHED_PRICES,
      // 0 turns caching off (every lookup is fresh, below); lru-cache reads a ttl of 0 as "forever".
      ttl: config.priceCacheTtlMs,
      fetchMethod: async (_key, _stale, { context }) => ({
        price: await this.provider.retrievePrice(context.mode, context.priceId),
      }),
    });
  }

  /** The price, when it can be bought in the checkout mode; else Invalid price ID. */
  async assertPurchasable(
    mode: ProviderMode,
    priceId: string,
    checkoutMode: CheckoutMode,
  ): Promise<ProviderPrice> {
    if (this.config.allowedPriceIds && !this.config.allowedPriceIds.has(priceId))
      throw new InvalidPriceError('not_on_offer');
    const price = await this.lookup(mode, priceId);
    if (!price) throw new InvalidPriceError('unknown');
    if (!price.active) throw new InvalidPriceError('archived');
    const kind = checkoutMode === 'subscription' ? 'recurring' : 'one_time';
    if (price.type !== kind) {
      throw new InvalidPriceError(
        checkoutMode === 'subscription' ? 'one_time_in_subscription_mode' : 'recurring_in_payment_mode',
      );
    }
    return price;
  }

  /**
   * A price a subscription can move to: on offer, active and recurring as for a new checkout, and
   * in the currency the subscription is billed in. Returns it.
   */
  async assertChangeable(
    mode: ProviderMode,
    priceId: string,
    currency: string | null,
  ): Promise<ProviderPrice> {
    const price = await this.assertPurchasable(mode, priceId, 'subscription');
    if (currency !== null && price.currency !== currency) throw new InvalidPriceError('currency');
    return price;
  }

  /**
   * What a caller can buy: with ALLOWED_PRICE_IDS, each of them the provider knows as active, in
   * the list's order; without it, the active prices the provider lists (at most
   * MAX_LISTED_PRICES). Retired prices, and prices of archived products, are not on offer.
   */
  async onOffer(mode: ProviderMode): Promise<ProviderPrice[]> {
    const allowed = this.config.allowedPriceIds;
    let prices: (ProviderPrice | null)[];
    if (allowed) {
      const ids = [...allowed];
      prices = [];
      for (let start = 0; start < ids.length; start += LOOKUPS_AT_ONCE) {
        const batch = ids.slice(start, start + LOOKUPS_AT_ONCE);
        prices.push(...(await Promise.all(batch.map((priceId) => this.lookup(mode, priceId)))));
      }
    } else {
      const listing = await this.listings.fetch(mode, { forceRefresh: this.config.priceCacheTtlMs === 0 });
      prices = listing!.prices;
    }
    return prices.filter((price): price is ProviderPrice => price !== null && price.active);
  }

  /** What the provider says of a price (cached), or null when it does not know it. */
  find(mode: ProviderMode, priceId: string): Promise<ProviderPrice | null> {
    return this.lookup(mode, priceId);
  }

  private async lookup(mode: ProviderMode, priceId: string): Promise<ProviderPrice | null> {
    const found = await this.prices.fetch(`${mode}:${priceId}`, {
      context: { mode, priceId },
      forceRefresh: this.config.priceCacheTtlMs === 0,
    });
    return found!.price;
  }
}
