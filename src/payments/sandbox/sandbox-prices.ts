import { ProviderPrice } from '../payment-provider';

/** The prices the sandbox provider knows. */
export const SANDBOX_PRICES: readonly ProviderPrice[] = [
  {
    id: 'price_sandbox_monthly',
    active: true,
    type: 'recurring',
    currency: 'usd',
    unitAmount: 1500,
    interval: 'month',
    productName: 'Pro plan (sandbox)',
  },
  {
    id: 'price_sandbox_yearly',
    active: true,
    type: 'recurring',
    currency: 'usd',
    unitAmount: 15000,
    interval: 'year',
    productName: 'Pro plan, yearly (sandbox)',
  },
  {
    id: 'price_sandbox_credits',
    active: true,
    type: 'one_time',
    currency: 'usd',
    unitAmount: 5000,
    interval: null,
    productName: 'Credit pack (sandbox)',
  },
  {
    id: 'price_sandbox_retired',
    active: false,
    type: 'recurring',
    currency: 'usd',
    unitAmount: 900,
    interval: 'month',
    productName: 'Retired plan (sandbox)',
  },
];
