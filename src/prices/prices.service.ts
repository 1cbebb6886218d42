import { Injectable } from '@nestjs/common';
import { PriceCatalog } from '../checkout/price-catalog';
import { NotFoundError } from '../common/errors/domain-errors';
import { ProviderMode } from '../config/app-config';
import { PaymentProvider } from '../payments/payment-provider';
import { PricesResponse, toPriceView } from './dto/price.dto';

@Injectable()
export class PricesService {
  constructor(
    private readonly provider: PaymentProvider,
    private readonly catalog: PriceCatalog,
  ) {}

  /** The prices on offer in the mode, as the catalogue (and so checkout) sees them. */
  async list(mode: ProviderMode): Promise<PricesResponse> {
    if (!this.provider.supportsMode(mode)) throw new NotFoundError('Test mode is not configured');
    const prices = await this.catalog.onOffer(mode);
    return { prices: prices.map(toPriceView) };
  }
}
