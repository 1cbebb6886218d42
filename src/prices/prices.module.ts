import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CheckoutModule } from '../checkout/checkout.module';
import { PricesController } from './prices.controller';
import { PricesService } from './prices.service';

/** GET /api/prices: what the catalogue offers, read through the same cache checkout uses. */
@Module({
  imports: [AuthModule, CheckoutModule],
  controllers: [PricesController],
  providers: [PricesService],
})
export class PricesModule {}
