import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { NotFoundError } from '../common/errors/domain-errors';
import { ApiSimpleErrors, COMMON_ERRORS, documentedError } from '../common/http/api-error-responses';
import { ErrorResponse } from '../common/http/error-response.dto';
import { PricesQuery, PricesResponse } from './dto/price.dto';
import { PricesService } from './prices.service';

@ApiTags('prices')
@Controller('api/prices')
export class PricesController {
  constructor(private readonly prices: PricesService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List the prices on offer',
    description:
      'The prices a checkout can be started with: with `ALLOWED_PRICE_IDS` set, each of them that the provider ' +
      'knows as active, in that order; without it, the active prices the provider has (at most 100). A ' +
      '`recurring` price is for `mode: subscription`, a `one_time` price for `mode: payment`. Retired prices and ' +
      'prices of archived products are left out. The answer is cached for PRICE_CACHE_TTL_MS (a minute by default).',
  })
  @ApiOkResponse({ description: 'The prices on offer', type: PricesResponse })
  @ApiSimpleErrors(
    ErrorResponse,
    { status: 400, description: 'Invalid query parameters', message: 'testMode must be true or false' },
    COMMON_ERRORS.unauthorized,
    documentedError(new NotFoundError('Test mode is not configured'), 'Test mode is not configured'),
    COMMON_ERRORS.rateLimited,
    COMMON_ERRORS.providerFailed,
    COMMON_ERRORS.unavailable,
  )
  list(@Query() query: PricesQuery): Promise<PricesResponse> {
    return this.prices.list(query.testMode === 'true' ? 'test' : 'live');
  }
}
