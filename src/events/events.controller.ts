import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentCaller } from '../auth/authenticated.decorator';
import { Caller } from '../auth/principal';
import { AdminScopeRequiredError, BadRequestError, NotFoundError } from '../common/errors/domain-errors';
import { ApiSimpleErrors, COMMON_ERRORS, documentedError } from '../common/http/api-error-responses';
import { ErrorResponse } from '../common/http/error-response.dto';
import {
  CreatedEventEndpoint,
  CreateEventEndpointRequest,
  DeliveriesQuery,
  DeliveriesResponse,
  DeliveryView,
  EventEndpointsResponse,
  EventEndpointView,
  EventFeedQuery,
  EventFeedResponse,
} from './dto/events.dto';
import { EventsService, PlatformAdminRequiredError } from './events.service';

const PLATFORM_ADMIN_ONLY = [
  COMMON_ERRORS.unauthorized,
  documentedError(
    new PlatformAdminRequiredError(),
    'The credential lacks the admin scope, or its account is no platform admin',
  ),
];

const ALSO = [COMMON_ERRORS.rateLimited, COMMON_ERRORS.unavailable];

/**
 * Outbound events for other services (docs/events.md): the pull feed for admin credentials, and
 * for platform admins the endpoints events are delivered to, their deliveries and replays.
 */
@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'Read the outbound events (pull feed)',
    description:
      'The same events the endpoints receive, in one order: each account’s in its `sequence` order. Needs the admin ' +
      'scope; shows the events of the credential’s own account and of the accounts it holds grants on (every ' +
      'account’s for a platform admin), or of one of them with `accountId`. Read on with `after=nextCursor`; an ' +
      'event appears once every transaction older than it has ended, so a reader never passes one. Events are ' +
      'kept for EVENT_RETENTION (30 days by default).',
  })
  @ApiOkResponse({ type: EventFeedResponse, description: 'A page of events' })
  @ApiSimpleErrors(
    ErrorResponse,
    {
      status: 400,
      description: 'Invalid query parameters',
      message: 'after must be a nextCursor this feed gave',
    },
    COMMON_ERRORS.unauthorized,
    documentedError(
      new AdminScopeRequiredError(),
      'The credential lacks the admin scope, or may not act for accountId',
    ),
    COMMON_ERRORS.unknownAccount,
    ...ALSO,
  )
  read(@CurrentCaller() caller: Caller, @Query() query: EventFeedQuery): Promise<EventFeedResponse> {
    return this.events.read(caller, query);
  }

  @Post('endpoints')
  @Authenticated()
  @ApiOperation({
    summary: 'Add an event endpoint',
    description:
      'Platform admins only. Events written from now on are also delivered to `url`, signed with the Standard ' +
      'Webhooks scheme with the endpoint’s secret, which this answer shows once.',
  })
  @ApiCreatedResponse({
    type: CreatedEventEndpoint,
    description: 'The endpoint, with its secret (shown once)',
  })
  @ApiSimpleErrors(
    ErrorResponse,
    {
      status: 400,
      description: 'Invalid body',
      message: 'url must be an absolute http(s) URL without credentials',
    },
    ...PLATFORM_ADMIN_ONLY,
    COMMON_ERRORS.tooLarge,
    ...ALSO,
  )
  createEndpoint(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateEventEndpointRequest,
  ): Promise<CreatedEventEndpoint> {
    return this.events.createEndpoint(caller.principal, body);
  }

  @Get('endpoints')
  @Authenticated()
  @ApiOperation({
    summary: 'List the event endpoints',
    description:
      'Platform admins only. Configured (EVENT_ENDPOINTS) and added ones, with their backlogs; never a secret.',
  })
  @ApiOkResponse({ type: EventEndpointsResponse, description: 'The endpoints' })
  @ApiSimpleErrors(ErrorResponse, ...PLATFORM_ADMIN_ONLY, ...ALSO)
  async listEndpoints(@CurrentCaller() caller: Caller): Promise<EventEndpointsResponse> {
    return { data: await this.events.listEndpoints(caller.principal) };
  }

  @Delete('endpoints/:endpointId')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Remove an event endpoint',
    description:
      'Platform admins only; an endpoint added here (a configured one is removed from EVENT_ENDPOINTS). Its deliveries go with it.',
  })
  @ApiParam({ name: 'endpointId', example: 'ep_9f8e7d6c5b4a39281706f5e4d3c2b1a0' })
  @ApiOkResponse({
    type: EventEndpointView,
    description: 'Removed: the endpoint as it was, with the pending and parked deliveries that went with it',
  })
  @ApiSimpleErrors(
    ErrorResponse,
    documentedError(
      new BadRequestError('This endpoint comes from EVENT_ENDPOINTS: remove it there'),
      'A configured endpoint',
    ),
    ...PLATFORM_ADMIN_ONLY,
    documentedError(new NotFoundError('No event endpoint has this id'), 'No such endpoint'),
    ...ALSO,
  )
  async removeEndpoint(
    @CurrentCaller() caller: Caller,
    @Param('endpointId') endpointId: string,
  ): Promise<EventEndpointView> {
    return this.events.removeEndpoint(caller.principal, endpointId);
  }

  @Get('deliveries')
  @Authenticated()
  @ApiOperation({
    summary: 'List deliveries (the parked ones, say)',
    description:
      'Platform admins only, newest first. A delivery is `pending` while it is retried (exponential backoff with ' +
      'jitter, for EVENT_RETRY_FOR: three days by default), `delivered` after a 2xx, `parked` after its retry window.',
  })
  @ApiOkResponse({ type: DeliveriesResponse, description: 'The deliveries' })
  @ApiSimpleErrors(
    ErrorResponse,
    {
      status: 400,
      description: 'Invalid query parameters',
      message: 'status must be pending, delivered or parked',
    },
    ...PLATFORM_ADMIN_ONLY,
    ...ALSO,
  )
  async listDeliveries(
    @CurrentCaller() caller: Caller,
    @Query() query: DeliveriesQuery,
  ): Promise<DeliveriesResponse> {
    return { data: await this.events.listDeliveries(caller.principal, query) };
  }

  @Post('deliveries/:deliveryId/replay')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Replay a parked delivery',
    description:
      'Platform admins only. The delivery is sent again at once, with a fresh retry window and the same `webhook-id` ' +
      '(the event’s id), so a consumer that saw it before can tell.',
  })
  @ApiParam({ name: 'deliveryId', example: 'dlv_1a2b3c4d5e6f708192a3b4c5d6e7f809' })
  @ApiOkResponse({ type: DeliveryView, description: 'The delivery, pending again' })
  @ApiSimpleErrors(
    ErrorResponse,
    documentedError(
      new BadRequestError('Only a parked delivery can be replayed'),
      'The delivery is not parked',
    ),
    ...PLATFORM_ADMIN_ONLY,
    documentedError(new NotFoundError('No delivery has this id'), 'No such delivery'),
    ...ALSO,
  )
  replay(@CurrentCaller() caller: Caller, @Param('deliveryId') deliveryId: string): Promise<DeliveryView> {
    return this.events.replay(caller.principal, deliveryId);
  }
}
