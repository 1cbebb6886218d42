import { ApiProperty } from '@nestjs/swagger';
import { InvoiceEstimate } from '../../payments/payment-provider';

export class PeriodDto {
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-11T10:00:00.000Z' })
  start!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-31T10:00:00.000Z' })
  end!: string;
}

export class InvoiceLineDto {
  @ApiProperty({ example: 'Remaining time on 5 × Pro plan (sandbox)' })
  description!: string;

  @ApiProperty({ description: 'In minor units (cents); a credit is negative.', example: 5000 })
  amount!: number;

  @ApiProperty({ example: 5 })
  quantity!: number;

  @ApiProperty({ description: 'A proration for the rest of the current period.', example: true })
  proration!: boolean;

  @ApiProperty({ type: PeriodDto, nullable: true })
  period!: PeriodDto | null;
}

export class InvoiceEstimateDto {
  @ApiProperty({ description: 'What would be charged, in minor units (never below zero).', example: 2000 })
  amountDue!: number;

  @ApiProperty({ description: 'The sum of the lines; negative when the change credits more.', example: 2000 })
  total!: number;

  @ApiProperty({ example: 'usd' })
  currency!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When it is charged: now, or the renewal it belongs to.',
    example: '2026-12-11T10:00:00.000Z',
  })
  date!: string;

  @ApiProperty({ type: [InvoiceLineDto] })
  lines!: InvoiceLineDto[];
}

export class EstimatesDto {
  @ApiProperty({
    type: InvoiceEstimateDto,
    description:
      'What is charged or credited now (nothing for a change at period end, or inside a kept trial).',
  })
  currentInvoice!: InvoiceEstimateDto;

  @ApiProperty({
    type: InvoiceEstimateDto,
    nullable: true,
    description: 'The next renewal at the new terms; null when there is none (a one-time payment).',
  })
  nextInvoice!: InvoiceEstimateDto | null;
}

export function toInvoiceDto(invoice: InvoiceEstimate): InvoiceEstimateDto {
  return {
    amountDue: invoice.amountDue,
    total: invoice.total,
    currency: invoice.currency,
    date: new Date(invoice.date).toISOString(),
    lines: invoice.lines.map((line) => ({
      description: line.description,
      amount: line.amount,
      quantity: line.quantity,
      proration: line.proration,
      period: line.period
        ? { start: new Date(line.period.start).toISOString(), end: new Date(line.period.end).toISOString() }
        : null,
    })),
  };
}

export function toEstimatesDto(estimates: {
  currentInvoice: InvoiceEstimate;
  nextInvoice: InvoiceEstimate | null;
}): EstimatesDto {
  return {
    currentInvoice: toInvoiceDto(estimates.currentInvoice),
    nextInvoice: estimates.nextInvoice ? toInvoiceDto(estimates.nextInvoice) : null,
  };
}
