// Generated from openapi.json by openapi-typescript (`npm run openapi`): do not edit by hand.

export interface paths {
  '/api/subscriptions/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create Subscription Session
     * @description Create a checkout session to start a subscription for the authenticated account. Returns a hosted checkout URL that the client should redirect to. The session is pre-configured with a 30-day trial period. The trial length is configurable (TRIAL_DAYS) and a trial is given once per account. An account has at most one open subscription checkout: the same request gets the open session back, another one (a different successUrl, or a checkout from /api/billing/checkout) expires it first. An account with an active, trialing or past-due subscription gets 409.
     */
    post: operations['SubscriptionSessionsController_createSubscriptionSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/subscriptions/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Cancel the subscription
     * @description Ends the account's current subscription at the end of the period (the default; `cancelAt` in the answer says when), or at once with `atPeriodEnd: false`. A change scheduled by this service is withdrawn first.
     */
    post: operations['SubscriptionLifecycleController_cancel'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/subscriptions/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Resume the subscription
     * @description Takes back a cancellation that has not taken effect yet: the subscription renews as before.
     */
    post: operations['SubscriptionLifecycleController_resume'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/subscriptions/pending-change': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Withdraw the scheduled change
     * @description Withdraws the change scheduled for the end of the period (`pendingChange` in `me`): the subscription keeps its terms.
     */
    delete: operations['SubscriptionLifecycleController_withdraw'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/billing/checkout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create Checkout Session
     * @description Initiates a hosted checkout session for a subscription (or a one-time payment with `mode: payment`). The session is valid for 24 hours unless `expiresInMinutes` says otherwise. Customers without a provider customer get one created automatically. Metadata is passed through to the subscription. Webhook events record the subscription after checkout completes. An account has at most one open subscription checkout: a request identical to it (price, quantity, URLs, metadata, expiry) gets it back, any other expires it at the provider first (409 ALREADY_SUBSCRIBED if the person completed it meanwhile). Payment checkouts may be several; an identical one is given back.
     *
     *     The type comes from the fields (seed 004): no `subscriptionId` → a new subscription; `subscriptionId` and `priceId` → `plan_change`; `subscriptionId` and `quantity` alone → `quantity_update`. A change checkout is a preview with `estimates` that changes nothing until it is confirmed, on the hosted page `url` opens or with `POST /api/billing/checkout/{sessionId}/confirm`; it is used at most once.
     */
    post: operations['BillingController_createCheckout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/billing/checkout/{sessionId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a checkout session
     * @description A checkout of the account's: its type, status and estimates (and for a change, its terms).
     */
    get: operations['BillingController_getCheckout'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/billing/checkout/{sessionId}/confirm': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Confirm a change checkout
     * @description Applies a plan change or quantity update on the terms its preview showed (the same proration date, items and trial handling), at most once: now, or scheduled for the end of the period. If the subscription changed since the preview, 409 CHANGE_STALE with a fresh preview in `error.details.checkout`; a failed charge, 402 with the invoice to pay, and the subscription keeps its terms.
     */
    post: operations['BillingController_confirmChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/subscriptions/portal': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create Subscription Portal
     * @description Create a subscription management session for the authenticated account. Returns a hosted URL where the customer can update payment method, view invoices, or cancel. The client should redirect the user to that URL. Works for any account that has a billing customer, a cancelled one too; 404 otherwise.
     */
    post: operations['SubscriptionsController_createSubscriptionPortal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/subscriptions/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get my subscription
     * @description The account's subscription as the service knows it from the provider's webhooks: the live one (active, trialing or past due) if any, else the most recent; `null` when there is none.
     */
    get: operations['SubscriptionsController_getMySubscription'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Read the outbound events (pull feed)
     * @description The same events the endpoints receive, in one order: each account’s in its `sequence` order. Needs the admin scope; shows the events of the credential’s own account and of the accounts it holds grants on (every account’s for a platform admin), or of one of them with `accountId`. Read on with `after=nextCursor`; an event appears once every transaction older than it has ended, so a reader never passes one. Events are kept for EVENT_RETENTION (30 days by default).
     */
    get: operations['EventsController_read'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/events/endpoints': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the event endpoints
     * @description Platform admins only. Configured (EVENT_ENDPOINTS) and added ones, with their backlogs; never a secret.
     */
    get: operations['EventsController_listEndpoints'];
    put?: never;
    /**
     * Add an event endpoint
     * @description Platform admins only. Events written from now on are also delivered to `url`, signed with the Standard Webhooks scheme with the endpoint’s secret, which this answer shows once.
     */
    post: operations['EventsController_createEndpoint'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/events/endpoints/{endpointId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Remove an event endpoint
     * @description Platform admins only; an endpoint added here (a configured one is removed from EVENT_ENDPOINTS). Its deliveries go with it.
     */
    delete: operations['EventsController_removeEndpoint'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/events/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List deliveries (the parked ones, say)
     * @description Platform admins only, newest first. A delivery is `pending` while it is retried (exponential backoff with jitter, for EVENT_RETRY_FOR: three days by default), `delivered` after a 2xx, `parked` after its retry window.
     */
    get: operations['EventsController_listDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/events/deliveries/{deliveryId}/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Replay a parked delivery
     * @description Platform admins only. The delivery is sent again at once, with a fresh retry window and the same `webhook-id` (the event’s id), so a consumer that saw it before can tell.
     */
    post: operations['EventsController_replay'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/prices': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the prices on offer
     * @description The prices a checkout can be started with: with `ALLOWED_PRICE_IDS` set, each of them that the provider knows as active, in that order; without it, the active prices the provider has (at most 100). A `recurring` price is for `mode: subscription`, a `one_time` price for `mode: payment`. Retired prices and prices of archived products are left out. The answer is cached for PRICE_CACHE_TTL_MS (a minute by default).
     */
    get: operations['PricesController_list'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/webhooks/stripe': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Receive a Stripe event
     * @description Stripe calls this endpoint. The `Stripe-Signature` header is verified over the raw body (five minutes tolerance) before anything is read; each event id is applied once; events the service does not use are acknowledged with 200. A failure to store answers 500 so that Stripe retries. Deliveries that fail verification are limited per IP (429 past RATE_LIMIT_PER_MINUTE of them in a minute); verified ones never are.
     */
    post: operations['WebhooksController_receiveStripeEvent'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Liveness and readiness
     * @description Answers when the process is alive; `status: ok` (200) when every part it needs is ready, `status: error` (503) with the failing part named under `error` when one is not. The parts: `database`, which must take a write (`{status: up, writable: true}`, or `{status: down, writable: false, message}`: unreachable, full, read-only, …); `redis`, when REDIS_URL is set, which must answer a PING; and the background work that registers itself (such as the outbound event dispatcher), each `{status: up|down, …}` with a `message` when down. Each part is given 1.5 s.
     */
    get: operations['HealthController_check'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/sandbox/subscriptions/{subscriptionId}/advance-to-renewal': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Advance a sandbox subscription to its renewal
     * @description Sandbox provider only; needs the admin scope, and the subscription must be of the caller’s account or of one it may act for (a grant, or a platform admin). The period ends now, as if its time were up: a subscription set to cancel at period end ends; any other starts a new period on its scheduled terms and pays its invoice, or goes `past_due` (with an unpaid invoice and `invoice.payment_failed`) when the next payment was set to fail. The events flow through the same processing as Stripe’s webhooks.
     */
    post: operations['SandboxControlsController_advanceToRenewal'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/sandbox/subscriptions/{subscriptionId}/end-trial': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * End a sandbox subscription’s trial now
     * @description Sandbox provider only; the admin scope and the account as for advance-to-renewal. The trial ends now: the subscription pays its first period, from now, and is `active`, or `past_due` when the next payment was set to fail.
     */
    post: operations['SandboxControlsController_endTrial'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/sandbox/subscriptions/{subscriptionId}/fail-next-payment': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Make the next payment of a sandbox subscription fail
     * @description Sandbox provider only; the admin scope and the account as for advance-to-renewal. The next payment of the subscription’s customer fails, once: its next renewal (the subscription goes `past_due`), the end of its trial, or a change that charges something (which is then not applied). Nothing changes until then.
     */
    post: operations['SandboxControlsController_failNextPayment'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    CreateSubscriptionSessionRequest: {
      /**
       * Format: uri
       * @description The URL to redirect to after a successful payment.
       * @example https://chat.recoupable.com?subscription=success
       */
      successUrl: string;
      /**
       * Format: uuid
       * @description UUID of the account to create the session for. Only applicable when the authenticated account has admin access to multiple accounts. If not provided, creates a session for the API key's own account.
       * @example 123e4567-e89b-12d3-a456-426614174000
       */
      accountId?: string;
    };
    CreateSubscriptionSessionResponse: {
      /**
       * @description The checkout session ID.
       * @example cs_test_a1b2c3d4e5f6g7h8i9j0
       */
      id: string;
      /**
       * Format: uri
       * @description The hosted checkout URL. Redirect to this URL to complete the payment.
       * @example https://checkout.stripe.com/pay/cs_test_a1b2c3d4e5f6g7h8i9j0
       */
      url: string;
    };
    SubscriptionSessionErrorResponse: {
      /**
       * @description Human-readable error message.
       * @example successUrl is required
       */
      error: string;
    };
    ErrorResponse: {
      /**
       * @description Human-readable error message.
       * @example Authentication required
       */
      error: string;
    };
    CancelSubscriptionRequest: {
      /**
       * Format: uuid
       * @description Act for another account: needs the admin scope, and a grant or platform admin.
       * @example 123e4567-e89b-12d3-a456-426614174000
       */
      accountId?: string;
      /**
       * @description End at the end of the current period (the default), or at once with false.
       * @default true
       */
      atPeriodEnd?: boolean;
    };
    PendingChangeView: {
      /**
       * @description The price the subscription moves to.
       * @example price_sandbox_monthly
       */
      priceId: string;
      /** @example 1 */
      quantity: number;
      /**
       * Format: date-time
       * @example 2027-01-01T10:00:00.000Z
       */
      effectiveAt: string;
    };
    SubscriptionView: {
      /**
       * @description The provider's subscription id.
       * @example sub_1QabcDEFghiJKL
       */
      id: string;
      /**
       * @description As the provider names it.
       * @example trialing
       * @enum {string}
       */
      status:
        | 'trialing'
        | 'active'
        | 'past_due'
        | 'canceled'
        | 'unpaid'
        | 'incomplete'
        | 'incomplete_expired'
        | 'paused';
      /** @example price_1ABC123XYZ */
      priceId: string | null;
      /** @example 1 */
      quantity: number;
      /**
       * Format: date-time
       * @example 2026-12-21T10:00:00.000Z
       */
      trialEnd: string | null;
      /**
       * Format: date-time
       * @example 2026-11-21T10:00:00.000Z
       */
      currentPeriodStart: string | null;
      /**
       * Format: date-time
       * @example 2026-12-21T10:00:00.000Z
       */
      currentPeriodEnd: string | null;
      /** @example false */
      cancelAtPeriodEnd: boolean;
      /**
       * Format: date-time
       * @description When the subscription ends: the period end when cancelAtPeriodEnd, or a fixed time; null otherwise.
       * @example null
       */
      cancelAt: string | null;
      /** @description A change scheduled for the end of the period (a downgrade), until it takes effect or is withdrawn. */
      pendingChange: components['schemas']['PendingChangeView'] | null;
      /**
       * @description live: the main provider credentials; test: the test-mode ones (?testMode=true).
       * @example live
       * @enum {string}
       */
      mode: 'live' | 'test';
      /**
       * @description How many other live (active, trialing or past-due) subscriptions the account has besides this one: made in the provider’s dashboard, or with allowExistingSubscription. 0 normally.
       * @example 0
       */
      otherLiveSubscriptions: number;
    };
    SubscriptionResponse: {
      subscription: components['schemas']['SubscriptionView'];
    };
    AccountBody: {
      /**
       * Format: uuid
       * @description Act for another account: needs the admin scope, and a grant or platform admin.
       * @example 123e4567-e89b-12d3-a456-426614174000
       */
      accountId?: string;
    };
    CreateCheckoutRequest: {
      /**
       * @description An existing subscription of the account to change: with `priceId` a plan change, with `quantity` alone a quantity update. Without it, a new subscription (or a one-time payment).
       * @example sub_sbx_0123456789abcdef01234567
       */
      subscriptionId?: string;
      /**
       * @description Stripe price ID for the plan. Required, except for a quantity update (`subscriptionId` with `quantity` alone). GET /api/prices lists the prices on offer.
       * @example price_1ABC123XYZ
       */
      priceId?: string;
      /**
       * @description URL to redirect after successful checkout (absolute http(s), on an allowed origin). A `{CHECKOUT_SESSION_ID}` placeholder is passed to the provider intact and replaced by the session id on the way back.
       * @example https://app.example.com/dashboard?checkout=success&session_id={CHECKOUT_SESSION_ID}
       */
      successUrl: string;
      /**
       * Format: uri
       * @description URL to redirect if checkout is cancelled
       * @example https://app.example.com/pricing?checkout=cancelled
       */
      cancelUrl: string;
      /**
       * @description Additional metadata to attach to the session and passed through to the subscription (or the payment). Stripe's limits: 50 keys (one is the service's own accountId, which always wins), keys up to 40 characters, values up to 500.
       * @example {
       *       "plan": "pro",
       *       "referralCode": "FRIEND20"
       *     }
       */
      metadata?: {
        [key: string]: string;
      };
      /**
       * @description For a change: when it applies. By default an upgrade (a longer interval, more seats, a higher amount per year) applies now with the proration charged, and a downgrade at the end of the period.
       * @example immediate
       * @enum {string}
       */
      timing?: 'immediate' | 'period_end';
      /**
       * @description For a change during a trial: end the trial with it (by default the trial is kept).
       * @default false
       */
      endTrial?: boolean;
      /**
       * @description Checkout mode: subscription, or payment (one-time)
       * @default subscription
       * @enum {string}
       */
      mode?: 'subscription' | 'payment';
      /**
       * @description Quantity of items
       * @default 1
       */
      quantity?: number;
      /**
       * @description If true, allows checkout even if the account already has an active subscription
       * @default false
       */
      allowExistingSubscription?: boolean;
      /**
       * @description How long the checkout stays open, in minutes (24 hours by default)
       * @default 1440
       */
      expiresInMinutes?: number;
    };
    PeriodDto: {
      /**
       * Format: date-time
       * @example 2026-12-11T10:00:00.000Z
       */
      start: string;
      /**
       * Format: date-time
       * @example 2026-12-31T10:00:00.000Z
       */
      end: string;
    };
    InvoiceLineDto: {
      /** @example Remaining time on 5 × Pro plan (sandbox) */
      description: string;
      /**
       * @description In minor units (cents); a credit is negative.
       * @example 5000
       */
      amount: number;
      /** @example 5 */
      quantity: number;
      /**
       * @description A proration for the rest of the current period.
       * @example true
       */
      proration: boolean;
      period: components['schemas']['PeriodDto'] | null;
    };
    InvoiceEstimateDto: {
      /**
       * @description What would be charged, in minor units (never below zero).
       * @example 2000
       */
      amountDue: number;
      /**
       * @description The sum of the lines; negative when the change credits more.
       * @example 2000
       */
      total: number;
      /** @example usd */
      currency: string;
      /**
       * Format: date-time
       * @description When it is charged: now, or the renewal it belongs to.
       * @example 2026-12-11T10:00:00.000Z
       */
      date: string;
      lines: components['schemas']['InvoiceLineDto'][];
    };
    EstimatesDto: {
      /** @description What is charged or credited now (nothing for a change at period end, or inside a kept trial). */
      currentInvoice: components['schemas']['InvoiceEstimateDto'];
      /** @description The next renewal at the new terms; null when there is none (a one-time payment). */
      nextInvoice: components['schemas']['InvoiceEstimateDto'] | null;
    };
    CheckoutSessionData: {
      /**
       * @description Stripe checkout session ID
       * @example cs_test_1234567890abcdef
       */
      sessionId: string;
      /**
       * @description URL to redirect the customer to
       * @example https://checkout.stripe.com/pay/cs_test_1234567890abcdef
       */
      url: string;
      /**
       * @description What the checkout does, from the fields sent (seed 004).
       * @example new_subscription
       * @enum {string}
       */
      type: 'new_subscription' | 'payment' | 'plan_change' | 'quantity_update';
      /**
       * Format: date-time
       * @example 2026-12-03T10:00:00.000Z
       */
      expiresAt: string;
      /** @description Previews: nothing is invoiced by them. Null when the price has no fixed amount. */
      estimates: components['schemas']['EstimatesDto'] | null;
    };
    CreateCheckoutResponse: {
      /**
       * @example true
       * @enum {boolean}
       */
      success: true;
      data: components['schemas']['CheckoutSessionData'];
    };
    BillingErrorDetail: {
      /**
       * @example BAD_REQUEST
       * @enum {string}
       */
      code:
        | 'BAD_REQUEST'
        | 'UNAUTHORIZED'
        | 'FORBIDDEN'
        | 'NOT_FOUND'
        | 'METHOD_NOT_ALLOWED'
        | 'ALREADY_SUBSCRIBED'
        | 'CHECKOUT_IN_PROGRESS'
        | 'CHECKOUT_NOT_OPEN'
        | 'CHANGE_IN_PROGRESS'
        | 'CHANGE_STALE'
        | 'SUBSCRIPTION_NOT_CHANGEABLE'
        | 'HOSTED_CONFIRM_UNAVAILABLE'
        | 'PAYMENT_FAILED'
        | 'IDEMPOTENCY_KEY_REUSED'
        | 'IDEMPOTENCY_KEY_IN_USE'
        | 'PAYLOAD_TOO_LARGE'
        | 'RATE_LIMITED'
        | 'PAYMENT_PROVIDER_ERROR'
        | 'UNAVAILABLE'
        | 'INTERNAL_ERROR';
      /** @example priceId is required */
      message: string;
      /**
       * @description What the caller can act on besides the message, when there is something. With `Invalid price ID` for a price the provider or the operator refuses: `{reason}`, one of `unknown`, `archived`, `one_time_in_subscription_mode`, `recurring_in_payment_mode`, `not_on_offer`, `currency`.
       * @example {
       *       "reason": "archived"
       *     }
       */
      details?: {
        [key: string]: unknown;
      };
    };
    BillingErrorResponse: {
      /**
       * @example false
       * @enum {boolean}
       */
      success: false;
      error: components['schemas']['BillingErrorDetail'];
    };
    ChangeTermsDto: {
      /** @example price_sandbox_monthly */
      priceId: string;
      /** @example 3 */
      quantity: number;
    };
    TrialEffectDto: {
      /**
       * @description What the change does to a running trial: kept until its end, ended now, or there is none.
       * @example none
       * @enum {string}
       */
      effect: 'kept' | 'ended' | 'none';
      /**
       * Format: date-time
       * @example null
       */
      endsAt: string | null;
    };
    CheckoutDetailData: {
      /**
       * @description Stripe checkout session ID
       * @example cs_test_1234567890abcdef
       */
      sessionId: string;
      /**
       * @description URL to redirect the customer to
       * @example https://checkout.stripe.com/pay/cs_test_1234567890abcdef
       */
      url: string;
      /**
       * @description What the checkout does, from the fields sent (seed 004).
       * @example new_subscription
       * @enum {string}
       */
      type: 'new_subscription' | 'payment' | 'plan_change' | 'quantity_update';
      /**
       * Format: date-time
       * @example 2026-12-03T10:00:00.000Z
       */
      expiresAt: string;
      /** @description Previews: nothing is invoiced by them. Null when the price has no fixed amount. */
      estimates: components['schemas']['EstimatesDto'] | null;
      /**
       * @description A new subscription: open, complete or expired. A change: open (confirmable), applying, applied, scheduled (at period end), withdrawn, canceled, expired, stale (the subscription changed first) or payment_failed.
       * @example open
       * @enum {string}
       */
      status:
        | 'open'
        | 'complete'
        | 'expired'
        | 'applying'
        | 'applied'
        | 'scheduled'
        | 'withdrawn'
        | 'canceled'
        | 'stale'
        | 'payment_failed';
      /**
       * @description A change: the subscription it changes.
       * @example sub_sbx_0123456789abcdef01234567
       */
      subscriptionId?: string;
      /** @description A change: the terms now. */
      from?: components['schemas']['ChangeTermsDto'];
      /** @description A change: the new terms. */
      to?: components['schemas']['ChangeTermsDto'];
      /**
       * @example immediate
       * @enum {string}
       */
      timing?: 'immediate' | 'period_end';
      /**
       * Format: date-time
       * @description A change: when the new terms take effect.
       * @example 2026-12-11T10:00:00.000Z
       */
      effectiveAt?: string;
      trial?: components['schemas']['TrialEffectDto'];
    };
    CheckoutDetailResponse: {
      /**
       * @example true
       * @enum {boolean}
       */
      success: true;
      data: components['schemas']['CheckoutDetailData'];
    };
    ConfirmedChangeData: {
      /**
       * @description Stripe checkout session ID
       * @example cs_test_1234567890abcdef
       */
      sessionId: string;
      /**
       * @description URL to redirect the customer to
       * @example https://checkout.stripe.com/pay/cs_test_1234567890abcdef
       */
      url: string;
      /**
       * @description What the checkout does, from the fields sent (seed 004).
       * @example new_subscription
       * @enum {string}
       */
      type: 'new_subscription' | 'payment' | 'plan_change' | 'quantity_update';
      /**
       * Format: date-time
       * @example 2026-12-03T10:00:00.000Z
       */
      expiresAt: string;
      /** @description Previews: nothing is invoiced by them. Null when the price has no fixed amount. */
      estimates: components['schemas']['EstimatesDto'] | null;
      /**
       * @description A new subscription: open, complete or expired. A change: open (confirmable), applying, applied, scheduled (at period end), withdrawn, canceled, expired, stale (the subscription changed first) or payment_failed.
       * @example open
       * @enum {string}
       */
      status:
        | 'open'
        | 'complete'
        | 'expired'
        | 'applying'
        | 'applied'
        | 'scheduled'
        | 'withdrawn'
        | 'canceled'
        | 'stale'
        | 'payment_failed';
      /**
       * @description A change: the subscription it changes.
       * @example sub_sbx_0123456789abcdef01234567
       */
      subscriptionId?: string;
      /** @description A change: the terms now. */
      from?: components['schemas']['ChangeTermsDto'];
      /** @description A change: the new terms. */
      to?: components['schemas']['ChangeTermsDto'];
      /**
       * @example immediate
       * @enum {string}
       */
      timing?: 'immediate' | 'period_end';
      /**
       * Format: date-time
       * @description A change: when the new terms take effect.
       * @example 2026-12-11T10:00:00.000Z
       */
      effectiveAt?: string;
      trial?: components['schemas']['TrialEffectDto'];
      /** @description The subscription as `me` shows it now. */
      subscription: components['schemas']['SubscriptionView'] | null;
    };
    ConfirmChangeResponse: {
      /**
       * @example true
       * @enum {boolean}
       */
      success: true;
      data: components['schemas']['ConfirmedChangeData'];
    };
    /** @description Request body for creating a billing portal session. The account is determined from authentication (API key or session), not from this payload. */
    CreateSubscriptionPortalRequest: {
      /**
       * Format: uri
       * @description The URL to redirect to when the customer leaves the portal.
       * @example https://chat.recoupable.com/settings/billing
       */
      returnUrl: string;
    };
    CreateSubscriptionPortalResponse: {
      /**
       * @description The portal session ID.
       * @example portal_sess_a1b2c3d4
       */
      id: string;
      /**
       * Format: uri
       * @description The hosted portal URL. Redirect to this URL so the customer can manage their subscription.
       * @example https://billing.example.com/manage/portal_sess_a1b2c3d4
       */
      url: string;
    };
    SubscriptionPortalErrorResponse: {
      /**
       * @description Human-readable error message.
       * @example returnUrl is required
       */
      error: string;
    };
    MySubscriptionResponse: {
      /** @description null when the account has none. With several, the one shown is a live one (active, trialing or past due) before any other, and of those the most recently recorded. */
      subscription: components['schemas']['SubscriptionView'] | null;
    };
    EventData: {
      /** @description The account's `me` before the change. */
      before: components['schemas']['MySubscriptionResponse'];
      /** @description The account's `me` after the change. */
      after: components['schemas']['MySubscriptionResponse'];
      /**
       * @description subscription.*: the subscription that changed (it may not be the one `me` shows).
       * @example sub_1QabcDEFghiJKL
       */
      subscriptionId?: string;
      /**
       * @description subscription.*: the fields of the subscription that changed (all of them when it is new).
       * @example [
       *       "status"
       *     ]
       */
      changed?: string[];
      /**
       * @description checkout.*: `{id, mode, status}` of the checkout.
       * @example {
       *       "id": "cs_test_a1b2c3",
       *       "mode": "subscription",
       *       "status": "complete"
       *     }
       */
      checkout?: {
        [key: string]: unknown;
      };
      /**
       * @description subscription_change.*: `{id, type, status, subscriptionId, from: {priceId, quantity}, to: {priceId, quantity}, effectiveAt}`.
       * @example {
       *       "id": "chg_0f1e2d3c",
       *       "type": "plan_change",
       *       "status": "scheduled",
       *       "subscriptionId": "sub_1QabcDEFghiJKL",
       *       "from": {
       *         "priceId": "price_pro",
       *         "quantity": 1
       *       },
       *       "to": {
       *         "priceId": "price_basic",
       *         "quantity": 1
       *       },
       *       "effectiveAt": "2027-01-01T10:00:00.000Z"
       *     }
       */
      change?: {
        [key: string]: unknown;
      };
    };
    OutboundEventView: {
      /**
       * @description The event id; also the `webhook-id` of each of its deliveries.
       * @example evt_4f0c2a9d7b1e4c3a8f6e5d4c3b2a1908
       */
      id: string;
      /**
       * @example subscription.updated
       * @enum {string}
       */
      type:
        | 'subscription.created'
        | 'subscription.updated'
        | 'subscription.canceled'
        | 'access.granted'
        | 'access.revoked'
        | 'checkout.completed'
        | 'checkout.expired'
        | 'subscription_change.applied'
        | 'subscription_change.scheduled'
        | 'subscription_change.withdrawn';
      /**
       * Format: date-time
       * @description When the change was committed (to the millisecond).
       * @example 2026-12-02T10:00:00.000Z
       */
      timestamp: string;
      /**
       * Format: uuid
       * @example 5b0f3c1e-8a4d-4b2e-9c7f-1a2b3c4d5e6f
       */
      accountId: string;
      /**
       * @description 1, 2, 3, … per account, in the order of the account's changes: a gap means a missed event.
       * @example 3
       */
      sequence: number;
      /**
       * @example live
       * @enum {string}
       */
      mode: 'live' | 'test';
      data: components['schemas']['EventData'];
    };
    EventFeedResponse: {
      data: components['schemas']['OutboundEventView'][];
      /**
       * @description Pass as `after` to read on (the same value when no event came).
       * @example MTIzNDU2Ljc4
       */
      nextCursor: string;
      /**
       * @description More events wait after this page.
       * @example false
       */
      hasMore: boolean;
    };
    CreateEventEndpointRequest: {
      /**
       * Format: uri
       * @description Where events are POSTed (http or https).
       * @example https://entitlements.internal/billing-events
       */
      url: string;
      /** @example Entitlements service */
      description?: string;
      /**
       * @description A Standard Webhooks secret (`whsec_` and 24 to 64 bytes in base64); without it, one is made.
       * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
       */
      secret?: string;
    };
    CreatedEventEndpoint: {
      /** @example ep_9f8e7d6c5b4a39281706f5e4d3c2b1a0 */
      id: string;
      /**
       * Format: uri
       * @example https://entitlements.internal/billing-events
       */
      url: string;
      /**
       * @description config: from EVENT_ENDPOINTS; api: added here.
       * @example api
       * @enum {string}
       */
      source: 'config' | 'api';
      /** @example Entitlements service */
      description: string | null;
      /**
       * @description New events go to enabled endpoints only.
       * @example true
       */
      enabled: boolean;
      /**
       * @description Deliveries waiting to be sent.
       * @example 0
       */
      pending: number;
      /**
       * @description Deliveries parked after their retry window.
       * @example 0
       */
      parked: number;
      /**
       * Format: date-time
       * @example 2026-12-02T10:00:00.000Z
       */
      createdAt: string;
      /**
       * @description The signing secret: shown this once.
       * @example whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
       */
      secret: string;
    };
    EventEndpointView: {
      /** @example ep_9f8e7d6c5b4a39281706f5e4d3c2b1a0 */
      id: string;
      /**
       * Format: uri
       * @example https://entitlements.internal/billing-events
       */
      url: string;
      /**
       * @description config: from EVENT_ENDPOINTS; api: added here.
       * @example api
       * @enum {string}
       */
      source: 'config' | 'api';
      /** @example Entitlements service */
      description: string | null;
      /**
       * @description New events go to enabled endpoints only.
       * @example true
       */
      enabled: boolean;
      /**
       * @description Deliveries waiting to be sent.
       * @example 0
       */
      pending: number;
      /**
       * @description Deliveries parked after their retry window.
       * @example 0
       */
      parked: number;
      /**
       * Format: date-time
       * @example 2026-12-02T10:00:00.000Z
       */
      createdAt: string;
    };
    EventEndpointsResponse: {
      data: components['schemas']['EventEndpointView'][];
    };
    DeliveryView: {
      /** @example dlv_1a2b3c4d5e6f708192a3b4c5d6e7f809 */
      id: string;
      /** @example evt_4f0c2a9d7b1e4c3a8f6e5d4c3b2a1908 */
      eventId: string;
      /**
       * @example subscription.updated
       * @enum {string}
       */
      eventType:
        | 'subscription.created'
        | 'subscription.updated'
        | 'subscription.canceled'
        | 'access.granted'
        | 'access.revoked'
        | 'checkout.completed'
        | 'checkout.expired'
        | 'subscription_change.applied'
        | 'subscription_change.scheduled'
        | 'subscription_change.withdrawn';
      /** @example ep_9f8e7d6c5b4a39281706f5e4d3c2b1a0 */
      endpointId: string;
      /**
       * Format: uuid
       * @example 5b0f3c1e-8a4d-4b2e-9c7f-1a2b3c4d5e6f
       */
      accountId: string;
      /** @example 3 */
      sequence: number;
      /**
       * @example parked
       * @enum {string}
       */
      status: 'pending' | 'delivered' | 'parked';
      /** @example 41 */
      attempts: number;
      /**
       * Format: date-time
       * @example 2026-12-02T10:00:00.000Z
       */
      nextAttemptAt: string;
      /**
       * Format: date-time
       * @description Retried until then, then parked.
       * @example 2026-12-05T10:00:00.000Z
       */
      retryUntil: string;
      /**
       * @description The last attempt's HTTP status (null: no answer).
       * @example 503
       */
      lastStatus: number | null;
      /** @example HTTP 503 */
      lastError: string | null;
      /**
       * Format: date-time
       * @example null
       */
      deliveredAt: string | null;
      /**
       * Format: date-time
       * @example 2026-12-02T10:00:00.000Z
       */
      createdAt: string;
    };
    DeliveriesResponse: {
      data: components['schemas']['DeliveryView'][];
    };
    PriceView: {
      /** @description The id to pass as `priceId` to POST /api/billing/checkout. */
      id: string;
      /** @description The product's name, as the provider has it. */
      productName: string | null;
      /** @description The amount per unit in the currency’s minor unit (cents); null when the price has no fixed amount. */
      unitAmount: number | null;
      /** @description ISO 4217 currency code, lower case. */
      currency: string;
      /**
       * @description How often a recurring price bills; null for a one-time price.
       * @enum {string|null}
       */
      interval: 'day' | 'week' | 'month' | 'year' | null;
      /**
       * @description recurring: for `mode: subscription`; one_time: for `mode: payment`.
       * @enum {string}
       */
      kind: 'recurring' | 'one_time';
      /** @description Always true here: a retired price is not on offer. */
      active: boolean;
    };
    PricesResponse: {
      /**
       * @example [
       *       {
       *         "id": "price_sandbox_monthly",
       *         "productName": "Pro plan (sandbox)",
       *         "unitAmount": 1500,
       *         "currency": "usd",
       *         "interval": "month",
       *         "kind": "recurring",
       *         "active": true
       *       },
       *       {
       *         "id": "price_sandbox_yearly",
       *         "productName": "Pro plan, yearly (sandbox)",
       *         "unitAmount": 15000,
       *         "currency": "usd",
       *         "interval": "year",
       *         "kind": "recurring",
       *         "active": true
       *       },
       *       {
       *         "id": "price_sandbox_credits",
       *         "productName": "Credit pack (sandbox)",
       *         "unitAmount": 5000,
       *         "currency": "usd",
       *         "interval": null,
       *         "kind": "one_time",
       *         "active": true
       *       }
       *     ]
       */
      prices: components['schemas']['PriceView'][];
    };
    WebhookReceivedResponse: {
      /** @example true */
      received: boolean;
      /**
       * @description applied: first delivery; duplicate: delivered before; ignored: a type the service does not use; rejected: verified, but its data can never be stored (recorded with the reason, not retried)
       * @example applied
       * @enum {string}
       */
      outcome: 'applied' | 'duplicate' | 'ignored' | 'rejected';
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  SubscriptionSessionsController_createSubscriptionSession: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
      };
      header?: {
        /** @description Makes a retry safe: the first successful answer is kept for 24 hours for this account and key and replayed for the same request (with `Idempotent-Replayed: true`); the same key with another request gets 422. An error answer is not kept. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    /** @description Session creation parameters */
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateSubscriptionSessionRequest'];
      };
    };
    responses: {
      /** @description Checkout session created successfully */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreateSubscriptionSessionResponse'];
        };
      };
      /** @description Bad request - missing or invalid parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "successUrl is required"
           *     }
           */
          'application/json': components['schemas']['SubscriptionSessionErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['SubscriptionSessionErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Acting for another account needs a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description accountId names no account */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Account not found"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The account already has an active, trialing or past-due subscription */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The account already has an active subscription; manage it in the billing portal (POST /api/subscriptions/portal)"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Request body is larger than 100 kB"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Idempotency-Key was used before with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Idempotency-Key was already used with a different request"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider failed to answer"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  SubscriptionLifecycleController_cancel: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
      };
      header?: {
        /** @description Makes a retry safe: the first successful answer is kept for 24 hours for this account and key and replayed for the same request (with `Idempotent-Replayed: true`); the same key with another request gets 422. An error answer is not kept. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['CancelSubscriptionRequest'];
      };
    };
    responses: {
      /** @description The subscription as it is now */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SubscriptionResponse'];
        };
      };
      /** @description Invalid fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "atPeriodEnd must be true or false"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Acting for another account needs a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The account has no subscription (or accountId names no account) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No subscription exists for this account"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The subscription has ended, or already ends at the end of the period */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The subscription is canceled"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Request body is larger than 100 kB"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Idempotency-Key was used before with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Idempotency-Key was already used with a different request"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider failed to answer"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  SubscriptionLifecycleController_resume: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
      };
      header?: {
        /** @description Makes a retry safe: the first successful answer is kept for 24 hours for this account and key and replayed for the same request (with `Idempotent-Replayed: true`); the same key with another request gets 422. An error answer is not kept. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['AccountBody'];
      };
    };
    responses: {
      /** @description The subscription as it is now */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SubscriptionResponse'];
        };
      };
      /** @description Invalid fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "accountId must be a UUID"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Acting for another account needs a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The account has no subscription (or accountId names no account) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No subscription exists for this account"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The subscription is not set to end, or has ended already */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The subscription is not set to end"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Request body is larger than 100 kB"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Idempotency-Key was used before with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Idempotency-Key was already used with a different request"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider failed to answer"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  SubscriptionLifecycleController_withdraw: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The subscription as it is now */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SubscriptionResponse'];
        };
      };
      /** @description Invalid query parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "accountId must be a UUID"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Acting for another account needs a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description No change is scheduled (or no subscription) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No change is scheduled"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Request body is larger than 100 kB"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Idempotency-Key was used before with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Idempotency-Key was already used with a different request"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider failed to answer"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  BillingController_createCheckout: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
        /** @description Use the test-mode credentials (STRIPE_TEST_SECRET_KEY); 404 when they are not configured. */
        testMode?: 'true' | 'false';
      };
      header?: {
        /** @description Makes a retry safe: the first successful answer is kept for 24 hours for this account and key and replayed for the same request (with `Idempotent-Replayed: true`); the same key with another request gets 422. An error answer is not kept. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateCheckoutRequest'];
      };
    };
    responses: {
      /** @description Checkout session created */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreateCheckoutResponse'];
        };
      };
      /** @description Missing or invalid fields, or a price the operator does not offer (`Invalid price ID`) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "BAD_REQUEST",
           *         "message": "priceId is required"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Authentication required */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "UNAUTHORIZED",
           *         "message": "Authentication required"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "FORBIDDEN",
           *         "message": "Acting for another account needs a credential with the admin scope"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Unknown account, or test mode not configured */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "NOT_FOUND",
           *         "message": "Test mode is not configured"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /**
       * @description The account already has an active, trialing or past-due subscription
       *
       *     A change of a subscription that cannot change now (past due, unpaid, incomplete, canceled, set to end, a change already scheduled, a schedule not made by this service)
       *
       *     A change the provider's hosted page cannot confirm (its billing portal settings)
       */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "HOSTED_CONFIRM_UNAVAILABLE",
           *         "message": "The provider's hosted page cannot confirm this change: the portal configuration does not offer this price"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "PAYLOAD_TOO_LARGE",
           *         "message": "Request body is larger than 100 kB"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Idempotency-Key was used before with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "IDEMPOTENCY_KEY_REUSED",
           *         "message": "Idempotency-Key was already used with a different request"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "RATE_LIMITED",
           *         "message": "Too many requests; retry later"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "PAYMENT_PROVIDER_ERROR",
           *         "message": "The payment provider failed to answer"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "UNAVAILABLE",
           *         "message": "The payment provider is unavailable; retry later"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
    };
  };
  BillingController_getCheckout: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
        /** @description Use the test-mode credentials (STRIPE_TEST_SECRET_KEY); 404 when they are not configured. */
        testMode?: 'true' | 'false';
      };
      header?: never;
      path: {
        sessionId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CheckoutDetailResponse'];
        };
      };
      /** @description Invalid query parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "BAD_REQUEST",
           *         "message": "accountId must be a UUID"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Authentication required */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "UNAUTHORIZED",
           *         "message": "Authentication required"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "FORBIDDEN",
           *         "message": "Acting for another account needs a credential with the admin scope"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description No checkout of the account has this id */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "NOT_FOUND",
           *         "message": "Checkout session not found"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "RATE_LIMITED",
           *         "message": "Too many requests; retry later"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
    };
  };
  BillingController_confirmChange: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
        /** @description Use the test-mode credentials (STRIPE_TEST_SECRET_KEY); 404 when they are not configured. */
        testMode?: 'true' | 'false';
      };
      header?: {
        /** @description Makes a retry safe: the first successful answer is kept for 24 hours for this account and key and replayed for the same request (with `Idempotent-Replayed: true`); the same key with another request gets 422. An error answer is not kept. */
        'Idempotency-Key'?: string;
      };
      path: {
        sessionId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConfirmChangeResponse'];
        };
      };
      /** @description Invalid query parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "BAD_REQUEST",
           *         "message": "accountId must be a UUID"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Authentication required */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "UNAUTHORIZED",
           *         "message": "Authentication required"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description The charge failed */
      402: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "PAYMENT_FAILED",
           *         "message": "The payment for this change failed; the subscription keeps its current terms"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "FORBIDDEN",
           *         "message": "Acting for another account needs a credential with the admin scope"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description No checkout of the account has this id */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "NOT_FOUND",
           *         "message": "Checkout session not found"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /**
       * @description Confirmed already, expired or cancelled
       *
       *     Another change of the subscription is being confirmed
       *
       *     The subscription changed since the preview
       */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "CHANGE_STALE",
           *         "message": "The subscription changed since this preview (price); confirm the fresh preview instead"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "PAYLOAD_TOO_LARGE",
           *         "message": "Request body is larger than 100 kB"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Idempotency-Key was used before with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "IDEMPOTENCY_KEY_REUSED",
           *         "message": "Idempotency-Key was already used with a different request"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "RATE_LIMITED",
           *         "message": "Too many requests; retry later"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "PAYMENT_PROVIDER_ERROR",
           *         "message": "The payment provider failed to answer"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "success": false,
           *       "error": {
           *         "code": "UNAVAILABLE",
           *         "message": "The payment provider is unavailable; retry later"
           *       }
           *     }
           */
          'application/json': components['schemas']['BillingErrorResponse'];
        };
      };
    };
  };
  SubscriptionsController_createSubscriptionPortal: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
      };
      header?: {
        /** @description Makes a retry safe: the first successful answer is kept for 24 hours for this account and key and replayed for the same request (with `Idempotent-Replayed: true`); the same key with another request gets 422. An error answer is not kept. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    /** @description Portal session parameters */
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateSubscriptionPortalRequest'];
      };
    };
    responses: {
      /** @description Portal session created successfully */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreateSubscriptionPortalResponse'];
        };
      };
      /** @description Bad request - missing or invalid parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "returnUrl is required"
           *     }
           */
          'application/json': components['schemas']['SubscriptionPortalErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['SubscriptionPortalErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Acting for another account needs a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The account has no billing customer yet (or accountId names no account) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No billing customer exists for this account yet"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Request body is larger than 100 kB"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Idempotency-Key was used before with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Idempotency-Key was already used with a different request"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider failed to answer"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  SubscriptionsController_getMySubscription: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
        /** @description Use the test-mode credentials (STRIPE_TEST_SECRET_KEY); 404 when they are not configured. */
        testMode?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The account's subscription, or null */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MySubscriptionResponse'];
        };
      };
      /** @description Invalid query parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "accountId must be a UUID"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description accountId names an account this credential may not act for */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Acting for another account needs a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unknown account, or test mode not configured */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Account not found"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The service is temporarily unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  EventsController_read: {
    parameters: {
      query?: {
        /** @description Act for another account: needs the admin scope, and a grant or platform admin. */
        accountId?: string;
        /** @description The `nextCursor` of the previous page; without it, the feed starts at its oldest event. */
        after?: string;
        /** @description Events per page, 1 to 1000 (default 100). */
        limit?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of events */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EventFeedResponse'];
        };
      };
      /** @description Invalid query parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "after must be a nextCursor this feed gave"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or may not act for accountId */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Acting for another account needs a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description accountId names no account */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Account not found"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  EventsController_listEndpoints: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The endpoints */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EventEndpointsResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or its account is no platform admin */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Managing event endpoints and deliveries needs an admin credential of a platform admin account"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  EventsController_createEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateEventEndpointRequest'];
      };
    };
    responses: {
      /** @description The endpoint, with its secret (shown once) */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedEventEndpoint'];
        };
      };
      /** @description Invalid body */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "url must be an absolute http(s) URL without credentials"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or its account is no platform admin */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Managing event endpoints and deliveries needs an admin credential of a platform admin account"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The body is over 100 kB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Request body is larger than 100 kB"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  EventsController_removeEndpoint: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        endpointId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed: the endpoint as it was, with the pending and parked deliveries that went with it */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EventEndpointView'];
        };
      };
      /** @description A configured endpoint */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "This endpoint comes from EVENT_ENDPOINTS: remove it there"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or its account is no platform admin */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Managing event endpoints and deliveries needs an admin credential of a platform admin account"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description No such endpoint */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No event endpoint has this id"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  EventsController_listDeliveries: {
    parameters: {
      query?: {
        status?: 'pending' | 'delivered' | 'parked';
        endpointId?: string;
        /** @description 1 to 1000 (default 100), newest first. */
        limit?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The deliveries */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeliveriesResponse'];
        };
      };
      /** @description Invalid query parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "status must be pending, delivered or parked"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or its account is no platform admin */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Managing event endpoints and deliveries needs an admin credential of a platform admin account"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  EventsController_replay: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        deliveryId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The delivery, pending again */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeliveryView'];
        };
      };
      /** @description The delivery is not parked */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Only a parked delivery can be replayed"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or its account is no platform admin */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Managing event endpoints and deliveries needs an admin credential of a platform admin account"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description No such delivery */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No delivery has this id"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  PricesController_list: {
    parameters: {
      query?: {
        /** @description Use the test-mode credentials (STRIPE_TEST_SECRET_KEY); 404 when they are not configured. */
        testMode?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The prices on offer */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PricesResponse'];
        };
      };
      /** @description Invalid query parameters */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "testMode must be true or false"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Test mode is not configured */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Test mode is not configured"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider failed or refused the request */
      502: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider failed to answer"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The payment provider or the database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The payment provider is unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  WebhooksController_receiveStripeEvent: {
    parameters: {
      query?: never;
      header: {
        /** @description Set by Stripe. */
        'Stripe-Signature': string;
      };
      path?: never;
      cookie?: never;
    };
    /** @description A Stripe event, exactly as Stripe sends it (the signature covers these bytes). Handled: checkout.session.completed and .expired, customer.subscription.created, .updated and .deleted, invoice.paid and invoice.payment_failed; other types are acknowledged and ignored. */
    requestBody: {
      content: {
        'application/json': {
          [key: string]: unknown;
        };
      };
    };
    responses: {
      /** @description Received (applied now, applied before, or of a type not used) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookReceivedResponse'];
        };
      };
      /** @description Missing or invalid signature, or a timestamp older than five minutes */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Webhook signature verification failed"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many deliveries from this IP failed verification in the last minute (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The event could not be stored; Stripe retries it */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The event could not be stored; it will be retried"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  HealthController_check: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /**
       * @description Alive and ready: the database takes writes, every other part is up
       *
       *     The Health Check is successful
       */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @example ok */
            status?: string;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /**
       * @description Alive, but a part is down (named under `error`)
       *
       *     The Health Check is not successful
       */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @example error */
            status?: string;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "redis": {
             *         "status": "down",
             *         "message": "Redis does not answer"
             *       }
             *     }
             */
            error?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up"
             *       },
             *       "redis": {
             *         "status": "down",
             *         "message": "Redis does not answer"
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                status: string;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
    };
  };
  SandboxControlsController_advanceToRenewal: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The sandbox subscription's id: `id` in GET /api/subscriptions/me. */
        subscriptionId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The account's subscription as GET /api/subscriptions/me now shows it */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MySubscriptionResponse'];
        };
      };
      /** @description The subscription has ended */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "This subscription has ended"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or has no grant on the account of the subscription */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The sandbox controls need a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description No sandbox subscription has this id */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No such subscription"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The service is temporarily unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  SandboxControlsController_endTrial: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The sandbox subscription's id: `id` in GET /api/subscriptions/me. */
        subscriptionId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The account's subscription as GET /api/subscriptions/me now shows it */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MySubscriptionResponse'];
        };
      };
      /** @description The subscription is not trialing, or has ended */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "This subscription is not in a trial"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or has no grant on the account of the subscription */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The sandbox controls need a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description No sandbox subscription has this id */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No such subscription"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The service is temporarily unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
  SandboxControlsController_failNextPayment: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The sandbox subscription's id: `id` in GET /api/subscriptions/me. */
        subscriptionId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The account's subscription as GET /api/subscriptions/me now shows it */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MySubscriptionResponse'];
        };
      };
      /** @description Unauthorized - invalid or missing authentication */
      401: {
        headers: {
          /** @description The accepted schemes: `ApiKey header="x-api-key", Bearer` */
          'WWW-Authenticate'?: string;
          /** @description When the credential was sent nearly right (the key in `api-key`, `Authorization` without `Bearer`, `x-api-key: Bearer …`): what to change. Also in the envelope as `error.details.hint`. */
          'x-auth-hint'?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Authentication required"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The credential lacks the admin scope, or has no grant on the account of the subscription */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The sandbox controls need a credential with the admin scope"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description No sandbox subscription has this id */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "No such subscription"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description Too many requests from this credential or IP (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "Too many requests; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
      /** @description The database is unavailable (see Retry-After) */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "error": "The service is temporarily unavailable; retry later"
           *     }
           */
          'application/json': components['schemas']['ErrorResponse'];
        };
      };
    };
  };
}
