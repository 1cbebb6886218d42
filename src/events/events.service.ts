import { Injectable } from '@nestjs/common';
import { ADMIN_SCOPE, Caller, Principal } from '../auth/principal';
import { AppConfig } from '../config/app-config';
import { isSigningSecret } from '../config/load-config';
import {
  AdminScopeRequiredError,
  BadRequestError,
  ForbiddenError,
  NotFoundError,
} from '../common/errors/domain-errors';
import { DeliveryStatus } from './event-delivery.entity';
import { DeliveryRecord, EventDeliveriesRepository } from './event-deliveries.repository';
import { EndpointRecord, EventEndpointsRepository } from './event-endpoints.repository';
import { EventDispatcher } from './event-dispatcher.service';
import { DispatchSignal } from './dispatch-signal';
import {
  decodeCursor,
  encodeCursor,
  EventFeedRepository,
  FEED_START,
  FeedScope,
} from './event-feed.repository';
import { CreatedEventEndpoint, DeliveryView, EventEndpointView, EventFeedResponse } from './dto/events.dto';

/** Only a platform admin manages where every account's events go. */
export class PlatformAdminRequiredError extends ForbiddenError {
  constructor() {
    super('Managing event endpoints and deliveries needs an admin credential of a platform admin account');
  }
}

/** The admin side of outbound events: the pull feed, the endpoints, the deliveries and replays. */
@Injectable()
export class EventsService {
  constructor(
    private readonly config: AppConfig,
    private readonly feed: EventFeedRepository,
    private readonly endpoints: EventEndpointsRepository,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly dispatcher: EventDispatcher,
    private readonly signal: DispatchSignal,
  ) {}

  /**
   * A page of the feed for an admin credential: its own account's events and those of the
   * accounts it holds grants on (every account's, for a platform admin), or one account's.
   */
  async read(
    caller: Caller,
    query: { after?: string; limit?: string; accountId?: string },
  ): Promise<EventFeedResponse> {
    const { principal } = caller;
    if (!principal.scopes.has(ADMIN_SCOPE)) throw new AdminScopeRequiredError();
    const after = query.after === undefined ? FEED_START : decodeCursor(query.after);
    if (!after) throw new BadRequestError('after must be a nextCursor this feed gave');
    const scope: FeedScope =
      query.accountId !== undefined
        ? { accountId: caller.accountId }
        : principal.platformAdmin
          ? { all: true }
          : { all: false, adminAccountId: principal.accountId };
    const page = await this.feed.read(scope, after, Number(query.limit ?? 100));
    return { data: page.events, nextCursor: encodeCursor(page.cursor), hasMore: page.hasMore };
  }

  async createEndpoint(
    principal: Principal,
    input: { url: string; description?: string; secret?: string },
  ): Promise<CreatedEventEndpoint> {
    assertPlatformAdmin(principal);
    if (input.secret !== undefined && !isSigningSecret(input.secret))
      throw new BadRequestError(
        'secret must be a Standard Webhooks secret: whsec_ and 24 to 64 bytes in base64',
      );
    const created = await this.endpoints.create({
      url: new URL(input.url).toString(),
      description: input.description ?? null,
      secret: input.secret,
    });
    await this.dispatcher.refresh();
    return { ...toEndpointView(created, 0, 0), secret: created.secret };
  }

  async listEndpoints(principal: Principal): Promise<EventEndpointView[]> {
    assertPlatformAdmin(principal);
    const [endpoints, backlog] = await Promise.all([this.endpoints.list(), this.deliveries.backlog()]);
    const byEndpoint = new Map(backlog.map((entry) => [entry.endpointId, entry]));
    return endpoints.map((endpoint) => {
      const waiting = byEndpoint.get(endpoint.id);
      return toEndpointView(endpoint, waiting?.pending ?? 0, waiting?.parked ?? 0);
    });
  }

  /** Removes an added endpoint; answers it as it was, with the deliveries that went with it. */
  async removeEndpoint(principal: Principal, id: string): Promise<EventEndpointView> {
    assertPlatformAdmin(principal);
    const endpoint = await this.endpoints.find(id);
    if (!endpoint) throw new NotFoundError('No event endpoint has this id');
    if (endpoint.source === 'config')
      throw new BadRequestError('This endpoint comes from EVENT_ENDPOINTS: remove it there');
    const waiting = (await this.deliveries.backlog()).find((entry) => entry.endpointId === id);
    await this.endpoints.remove(id);
    await this.dispatcher.refresh();
    return toEndpointView(endpoint, waiting?.pending ?? 0, waiting?.parked ?? 0);
  }

  async listDeliveries(
    principal: Principal,
    query: { status?: DeliveryStatus; endpointId?: string; limit?: string },
  ): Promise<DeliveryView[]> {
    assertPlatformAdmin(principal);
    const rows = await this.deliveries.list({
      status: query.status,
      endpointId: query.endpointId,
      limit: Number(query.limit ?? 100),
    });
    return rows.map(toDeliveryView);
  }

  /** Sends a parked delivery again (with a fresh retry window); a delivery not parked is refused. */
  async replay(principal: Principal, id: string): Promise<DeliveryView> {
    assertPlatformAdmin(principal);
    const replayed = await this.deliveries.replay(id, this.config.events.retryForMs);
    if (!replayed) throw new NotFoundError('No delivery has this id');
    if (!replayed.replayed) throw new BadRequestError('Only a parked delivery can be replayed');
    this.signal.wake();
    return toDeliveryView((await this.deliveries.find(id))!);
  }
}

function assertPlatformAdmin(principal: Principal): void {
  if (!principal.scopes.has(ADMIN_SCOPE)) throw new AdminScopeRequiredError();
  if (!principal.platformAdmin) throw new PlatformAdminRequiredError();
}

function toEndpointView(endpoint: EndpointRecord, pending: number, parked: number): EventEndpointView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    source: endpoint.source,
    description: endpoint.description,
    enabled: endpoint.enabled,
    pending,
    parked,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

function toDeliveryView(row: DeliveryRecord): DeliveryView {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    endpointId: row.endpointId,
    accountId: row.accountId,
    sequence: row.sequence,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    retryUntil: row.retryUntil.toISOString(),
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
