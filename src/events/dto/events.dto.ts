import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { AccountQuery } from '../../common/http/account-query.dto';
import { MySubscriptionResponse } from '../../subscriptions/dto/my-subscription.dto';
import { OUTBOUND_EVENT_TYPES } from '../outbox';

const LIMIT = /^(?:[1-9]\d{0,2}|1000)$/;

export class EventFeedQuery extends AccountQuery {
  @ApiPropertyOptional({
    description: 'The `nextCursor` of the previous page; without it, the feed starts at its oldest event.',
    example: 'MTIzNDU2Ljc4',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  after?: string;

  @ApiPropertyOptional({ description: 'Events per page, 1 to 1000 (default 100).', example: '100' })
  @IsOptional()
  @Matches(LIMIT, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;
}

export class EventData {
  @ApiProperty({ type: MySubscriptionResponse, description: "The account's `me` before the change." })
  before!: MySubscriptionResponse;

  @ApiProperty({ type: MySubscriptionResponse, description: "The account's `me` after the change." })
  after!: MySubscriptionResponse;

  @ApiPropertyOptional({
    description: 'subscription.*: the subscription that changed (it may not be the one `me` shows).',
    example: 'sub_1QabcDEFghiJKL',
  })
  subscriptionId?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'subscription.*: the fields of the subscription that changed (all of them when it is new).',
    example: ['status'],
  })
  changed?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'checkout.*: `{id, mode, status}` of the checkout.',
    example: { id: 'cs_test_a1b2c3', mode: 'subscription', status: 'complete' },
  })
  checkout?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'subscription_change.*: `{id, type, status, subscriptionId, from: {priceId, quantity}, to: {priceId, quantity}, effectiveAt}`.',
    example: {
      id: 'chg_0f1e2d3c',
      type: 'plan_change',
      status: 'scheduled',
      subscriptionId: 'sub_1QabcDEFghiJKL',
      from: { priceId: 'price_pro', quantity: 1 },
      to: { priceId: 'price_basic', quantity: 1 },
      effectiveAt: '2027-01-01T10:00:00.000Z',
    },
  })
  change?: Record<string, unknown>;
}

export class OutboundEventView {
  @ApiProperty({
    description: 'The event id; also the `webhook-id` of each of its deliveries.',
    example: 'evt_4f0c2a9d7b1e4c3a8f6e5d4c3b2a1908',
  })
  id!: string;

  @ApiProperty({ enum: OUTBOUND_EVENT_TYPES, example: 'subscription.updated' })
  type!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When the change was committed (to the millisecond).',
    example: '2026-12-02T10:00:00.000Z',
  })
  timestamp!: string;

  @ApiProperty({ format: 'uuid', example: '5b0f3c1e-8a4d-4b2e-9c7f-1a2b3c4d5e6f' })
  accountId!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: "1, 2, 3, … per account, in the order of the account's changes: a gap means a missed event.",
    example: 3,
  })
  sequence!: number;

  @ApiProperty({ enum: ['live', 'test'], example: 'live' })
  mode!: string;

  @ApiProperty({ type: EventData })
  data!: EventData;
}

export class EventFeedResponse {
  @ApiProperty({ type: [OutboundEventView] })
  data!: OutboundEventView[];

  @ApiProperty({
    description: 'Pass as `after` to read on (the same value when no event came).',
    example: 'MTIzNDU2Ljc4',
  })
  nextCursor!: string;

  @ApiProperty({ description: 'More events wait after this page.', example: false })
  hasMore!: boolean;
}

export class CreateEventEndpointRequest {
  @ApiProperty({
    format: 'uri',
    description: 'Where events are POSTed (http or https).',
    example: 'https://entitlements.internal/billing-events',
  })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
    { message: 'url must be an absolute http(s) URL without credentials' },
  )
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Entitlements service' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({
    description:
      'A Standard Webhooks secret (`whsec_` and 24 to 64 bytes in base64); without it, one is made.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  secret?: string;
}

export class EventEndpointView {
  @ApiProperty({ example: 'ep_9f8e7d6c5b4a39281706f5e4d3c2b1a0' })
  id!: string;

  @ApiProperty({ format: 'uri', example: 'https://entitlements.internal/billing-events' })
  url!: string;

  @ApiProperty({
    enum: ['config', 'api'],
    description: 'config: from EVENT_ENDPOINTS; api: added here.',
    example: 'api',
  })
  source!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Entitlements service' })
  description!: string | null;

  @ApiProperty({ description: 'New events go to enabled endpoints only.', example: true })
  enabled!: boolean;

  @ApiProperty({ type: 'integer', description: 'Deliveries waiting to be sent.', example: 0 })
  pending!: number;

  @ApiProperty({ type: 'integer', description: 'Deliveries parked after their retry window.', example: 0 })
  parked!: number;

  @ApiProperty({ format: 'date-time', example: '2026-12-02T10:00:00.000Z' })
  createdAt!: string;
}

export class CreatedEventEndpoint extends EventEndpointView {
  @ApiProperty({
    description: 'The signing secret: shown this once.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret!: string;
}

export class EventEndpointsResponse {
  @ApiProperty({ type: [EventEndpointView] })
  data!: EventEndpointView[];
}

export class DeliveriesQuery {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'parked'], example: 'parked' })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'parked'], { message: 'status must be pending, delivered or parked' })
  status?: 'pending' | 'delivered' | 'parked';

  @ApiPropertyOptional({ example: 'ep_9f8e7d6c5b4a39281706f5e4d3c2b1a0' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  endpointId?: string;

  @ApiPropertyOptional({ description: '1 to 1000 (default 100), newest first.', example: '100' })
  @IsOptional()
  @Matches(LIMIT, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;
}

export class DeliveryView {
  @ApiProperty({ example: 'dlv_1a2b3c4d5e6f708192a3b4c5d6e7f809' })
  id!: string;

  @ApiProperty({ example: 'evt_4f0c2a9d7b1e4c3a8f6e5d4c3b2a1908' })
  eventId!: string;

  @ApiProperty({ enum: OUTBOUND_EVENT_TYPES, example: 'subscription.updated' })
  eventType!: string;

  @ApiProperty({ example: 'ep_9f8e7d6c5b4a39281706f5e4d3c2b1a0' })
  endpointId!: string;

  @ApiProperty({ format: 'uuid', example: '5b0f3c1e-8a4d-4b2e-9c7f-1a2b3c4d5e6f' })
  accountId!: string;

  @ApiProperty({ type: 'integer', example: 3 })
  sequence!: number;

  @ApiProperty({ enum: ['pending', 'delivered', 'parked'], example: 'parked' })
  status!: string;

  @ApiProperty({ type: 'integer', example: 41 })
  attempts!: number;

  @ApiProperty({ format: 'date-time', example: '2026-12-02T10:00:00.000Z' })
  nextAttemptAt!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'Retried until then, then parked.',
    example: '2026-12-05T10:00:00.000Z',
  })
  retryUntil!: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "The last attempt's HTTP status (null: no answer).",
    example: 503,
  })
  lastStatus!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'HTTP 503' })
  lastError!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  deliveredAt!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-12-02T10:00:00.000Z' })
  createdAt!: string;
}

export class DeliveriesResponse {
  @ApiProperty({ type: [DeliveryView] })
  data!: DeliveryView[];
}
