import { ProviderPrice } from '../payment-provider';
import { DAY_MS, prorateChange } from './sandbox-proration';

const price = (id: string, unitAmount: number, interval: string, productName: string): ProviderPrice => ({
  id,
  active: true,
  type: 'recurring',
  currency: 'usd',
  unitAmount,
  interval,
  productName,
});

const MONTHLY = price('price_m', 1500, 'month', 'Pro');
const YEARLY = price('price_y', 15000, 'year', 'Pro yearly');
const CHEAP = price('price_c', 900, 'month', 'Basic');

const start = new Date('2031-03-01T12:00:00.000Z');
const period = { start, end: new Date(start.getTime() + 30 * DAY_MS) };
const dayOf = (days: number, extraMs = 0) => new Date(start.getTime() + days * DAY_MS + extraMs);

describe(prorateChange.name, () => {
  it('should credit 20 unused days of $15 and charge a full year from the change, monthly to yearly on day 10', () => {
    const at = dayOf(10);

    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 1 },
      next: { price: YEARLY, quantity: 1 },
      period,
      prorationDate: at,
      trialEnd: null,
    });

    const year = { start: at, end: new Date(at.getTime() + 365 * DAY_MS) };
    expect(sut.invoice).toEqual({
      amountDue: 14000,
      total: 14000,
      currency: 'usd',
      date: at,
      lines: [
        {
          description: 'Unused time on 1 × Pro',
          amount: -1000,
          quantity: 1,
          proration: true,
          period: { start: at, end: period.end },
        },
        { description: '1 × Pro yearly', amount: 15000, quantity: 1, proration: false, period: year },
      ],
    });
    expect(sut.period).toEqual(year);
    expect(sut.trialEnd).toBeNull();
  });

  it('should credit 3 seats and charge 5 for the remaining 20 of 30 days, keeping the period', () => {
    const at = dayOf(10);

    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 3 },
      next: { price: MONTHLY, quantity: 5 },
      period,
      prorationDate: at,
      trialEnd: null,
    });

    expect(
      sut.invoice.lines.map(({ description, amount, quantity, proration, period: p }) => ({
        description,
        amount,
        quantity,
        proration,
        p,
      })),
    ).toEqual([
      {
        description: 'Unused time on 3 × Pro',
        amount: -3000,
        quantity: 3,
        proration: true,
        p: { start: at, end: period.end },
      },
      {
        description: 'Remaining time on 5 × Pro',
        amount: 5000,
        quantity: 5,
        proration: true,
        p: { start: at, end: period.end },
      },
    ]);
    expect(sut.invoice).toMatchObject({ total: 2000, amountDue: 2000 });
    expect(sut.period).toBe(period);
  });

  it('should count only whole days used: late on day 10 is still day 10', () => {
    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 3 },
      next: { price: MONTHLY, quantity: 5 },
      period,
      prorationDate: dayOf(10, DAY_MS - 1),
      trialEnd: null,
    });

    expect(sut.invoice.total).toBe(2000);
  });

  it('should answer a negative total and nothing due for a downgrade, rounding each line', () => {
    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 1 },
      next: { price: CHEAP, quantity: 1 },
      period,
      prorationDate: dayOf(7),
      trialEnd: null,
    });

    // 1500 × 23/30 = 1150; 900 × 23/30 = 690.
    expect(sut.invoice.lines.map((line) => line.amount)).toEqual([-1150, 690]);
    expect(sut.invoice).toMatchObject({ total: -460, amountDue: 0 });
  });

  it('should round to the nearest cent', () => {
    const sut = prorateChange({
      current: { price: price('p', 1000, 'month', 'Odd'), quantity: 1 },
      next: { price: price('q', 2000, 'month', 'Odd'), quantity: 1 },
      period,
      prorationDate: dayOf(1),
      trialEnd: null,
    });

    // 1000 × 29/30 = 966.67; 2000 × 29/30 = 1933.33.
    expect(sut.invoice.lines.map((line) => line.amount)).toEqual([-967, 1933]);
  });

  it('should charge nothing now and keep the period during a kept trial', () => {
    const trialEnd = period.end;

    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 1 },
      next: { price: YEARLY, quantity: 2 },
      period,
      prorationDate: dayOf(3),
      trialEnd,
    });

    expect(sut.invoice).toEqual({ amountDue: 0, total: 0, currency: 'usd', date: dayOf(3), lines: [] });
    expect(sut.period).toBe(period);
    expect(sut.trialEnd).toBe(trialEnd);
  });

  it('should end the trial at the change and charge the new terms in full for a new period', () => {
    const at = dayOf(3);

    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 1 },
      next: { price: MONTHLY, quantity: 2 },
      period,
      prorationDate: at,
      trialEnd: 'now',
    });

    const month = { start: at, end: new Date(at.getTime() + 30 * DAY_MS) };
    expect(sut.invoice.lines).toEqual([
      { description: '2 × Pro', amount: 3000, quantity: 2, proration: false, period: month },
    ]);
    expect(sut.invoice).toMatchObject({ total: 3000, amountDue: 3000 });
    expect(sut.period).toEqual(month);
    expect(sut.trialEnd).toEqual(at);
  });

  it('should credit nothing on the first day and charge the whole period', () => {
    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 1 },
      next: { price: MONTHLY, quantity: 2 },
      period,
      prorationDate: start,
      trialEnd: null,
    });

    expect(sut.invoice.lines.map((line) => line.amount)).toEqual([-1500, 3000]);
  });

  it('should take a change in the second the period began (a whole-second proration date) as its first day', () => {
    const begun = new Date(start.getTime() + 400);
    const sut = prorateChange({
      current: { price: MONTHLY, quantity: 1 },
      next: { price: MONTHLY, quantity: 2 },
      period: { start: begun, end: period.end },
      prorationDate: start,
      trialEnd: null,
    });

    expect(sut.invoice.lines.map((line) => line.amount)).toEqual([-1500, 3000]);
  });

  it('should refuse a proration date outside the current period', () => {
    const change = (prorationDate: Date) => () =>
      prorateChange({
        current: { price: MONTHLY, quantity: 1 },
        next: { price: MONTHLY, quantity: 2 },
        period,
        prorationDate,
        trialEnd: null,
      });

    expect(change(new Date(start.getTime() - 1))).toThrow(RangeError);
    expect(change(period.end)).toThrow(RangeError);
  });
});
