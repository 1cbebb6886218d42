import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../../auth/authenticated.decorator';
import { Caller } from '../../auth/principal';
import { BadRequestError, DatabaseUnavailableError, NotFoundError } from '../../common/errors/domain-errors';
import { ApiSimpleErrors, COMMON_ERRORS, documentedError } from '../../common/http/api-error-responses';
import { ErrorResponse } from '../../common/http/error-response.dto';
import { MySubscriptionResponse } from '../../subscriptions/dto/my-subscription.dto';
import { SandboxControls, SandboxControlsNeedAdminError } from './sandbox-controls.service';

const SUBSCRIPTION_ID = ApiParam({
  name: 'subscriptionId',
  description: "The sandbox subscription's id: `id` in GET /api/subscriptions/me.",
  example: 'sub_sbx_0f1e2d3c4b5a69788796a5b4',
});

const ANSWER = ApiOkResponse({
  type: MySubscriptionResponse,
  description: "The account's subscription as GET /api/subscriptions/me now shows it",
});

const REFUSALS = [
  COMMON_ERRORS.unauthorized,
  documentedError(
    new SandboxControlsNeedAdminError(),
    'The credential lacks the admin scope, or has no grant on the account of the subscription',
  ),
  documentedError(new NotFoundError('No such subscription'), 'No sandbox subscription has this id'),
];

const ALSO = [
  COMMON_ERRORS.rateLimited,
  documentedError(new DatabaseUnavailableError(), 'The database is unavailable (see Retry-After)'),
];

/**
 * The sandbox portal's test controls, by API, for tests and operators: the sandbox's counterpart
 * of Stripe's test clocks. Loaded only with the sandbox provider, like its pages.
 */
@ApiTags('sandbox')
@Controller('api/sandbox/subscriptions')
export class SandboxControlsController {
  constructor(private readonly controls: SandboxControls) {}

  @Post(':subscriptionId/advance-to-renewal')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Advance a sandbox subscription to its renewal',
    description:
      'Sandbox provider only; needs the admin scope, and the subscription must be of the caller’s account or ' +
      'of one it may act for (a grant, or a platform admin). The period ends now, as if its time were up: a ' +
      'subscription set to cancel at period end ends; any other starts a new period on its scheduled terms and ' +
      'pays its invoice, or goes `past_due` (with an unpaid invoice and `invoice.payment_failed`) when the next ' +
      'payment was set to fail. The events flow through the same processing as Stripe’s webhooks.',
  })
  @SUBSCRIPTION_ID
  @ANSWER
  @ApiSimpleErrors(
    ErrorResponse,
    documentedError(new BadRequestError('This subscription has ended'), 'The subscription has ended'),
    ...REFUSALS,
    ...ALSO,
  )
  async advanceToRenewal(
    @CurrentCaller() caller: Caller,
    @Param('subscriptionId') subscriptionId: string,
  ): Promise<MySubscriptionResponse> {
    return { subscription: await this.controls.advanceToRenewal(caller.principal, subscriptionId) };
  }

  @Post(':subscriptionId/end-trial')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'End a sandbox subscription’s trial now',
    description:
      'Sandbox provider only; the admin scope and the account as for advance-to-renewal. The trial ends now: ' +
      'the subscription pays its first period, from now, and is `active`, or `past_due` when the next payment ' +
      'was set to fail.',
  })
  @SUBSCRIPTION_ID
  @ANSWER
  @ApiSimpleErrors(
    ErrorResponse,
    documentedError(
      new BadRequestError('This subscription is not in a trial'),
      'The subscription is not trialing, or has ended',
    ),
    ...REFUSALS,
    ...ALSO,
  )
  async endTrial(
    @CurrentCaller() caller: Caller,
    @Param('subscriptionId') subscriptionId: string,
  ): Promise<MySubscriptionResponse> {
    return { subscription: await this.controls.endTrial(caller.principal, subscriptionId) };
  }

  @Post(':subscriptionId/fail-next-payment')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Make the next payment of a sandbox subscription fail',
    description:
      'Sandbox provider only; the admin scope and the account as for advance-to-renewal. The next payment of ' +
      'the subscription’s customer fails, once: its next renewal (the subscription goes `past_due`), the end ' +
      'of its trial, or a change that charges something (which is then not applied). Nothing changes until then.',
  })
  @SUBSCRIPTION_ID
  @ANSWER
  @ApiSimpleErrors(ErrorResponse, ...REFUSALS, ...ALSO)
  async failNextPayment(
    @CurrentCaller() caller: Caller,
    @Param('subscriptionId') subscriptionId: string,
  ): Promise<MySubscriptionResponse> {
    return { subscription: await this.controls.failNextPayment(caller.principal, subscriptionId) };
  }
}
