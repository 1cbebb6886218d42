import { IsDefined, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ApiValidationPipe } from './api-validation.pipe';

class RangeWrittenLast {
  @IsOptional()
  @IsInt({ message: 'count must be a whole number' })
  @Min(1, { message: 'count must be at least 1' })
  @Max(10, { message: 'count must be at most 10' })
  count?: number;
}

class RangeWrittenFirst {
  @IsOptional()
  @Max(10, { message: 'count must be at most 10' })
  @Min(1, { message: 'count must be at least 1' })
  @IsInt({ message: 'count must be a whole number' })
  count?: number;
}

class StringWithForm {
  @Matches(/^[a-z]+$/, { message: 'code must be lower-case letters' })
  @MaxLength(3, { message: 'code must be at most 3 characters' })
  @IsString({ message: 'code must be text' })
  @IsDefined({ message: 'code is required' })
  code!: string;
}

describe(ApiValidationPipe.name, () => {
  const sut = new ApiValidationPipe();

  const messageFor = async (metatype: new () => object, body: unknown) => {
    try {
      await sut.transform(body, { type: 'body', metatype });
    } catch (error) {
      return (error as Error).message;
    }
    return null;
  };

  it.each([
    ['written after', RangeWrittenLast],
    ['written before', RangeWrittenFirst],
  ])(
    'should name the type, not a range, for a value of the wrong type, with the range checks %s the type check',
    async (_order, metatype) => {
      for (const value of ['2', 'abc', true, [5], {}, 2.5]) {
        expect(await messageFor(metatype, { count: value })).toBe('count must be a whole number');
      }
      expect(await messageFor(metatype, { count: 0 })).toBe('count must be at least 1');
      expect(await messageFor(metatype, { count: 11 })).toBe('count must be at most 10');
      expect(await messageFor(metatype, { count: 5 })).toBeNull();
    },
  );

  it('should judge an empty query the same every time, and still validate what is not empty', async () => {
    const query = { type: 'query' as const, metatype: RangeWrittenLast };
    const first = await sut.transform({}, query);
    const second = await sut.transform({}, query);
    expect(first).toBeInstanceOf(RangeWrittenLast);
    expect(second).toBeInstanceOf(RangeWrittenLast);
    expect(second).not.toBe(first);
    await expect(sut.transform({ count: 0 }, query)).rejects.toThrow('count must be at least 1');
    await expect(sut.transform({ other: '1' }, query)).rejects.toThrow('Unknown field: other');
    await expect(sut.transform({ count: 3 }, query)).resolves.toEqual(
      Object.assign(new RangeWrittenLast(), { count: 3 }),
    );
    // A class that an empty object does not satisfy refuses it every time.
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await messageFor(StringWithForm, {})).toBe('code is required');
    }
  });

  it('should name presence before type, and type before form', async () => {
    expect(await messageFor(StringWithForm, {})).toBe('code is required');
    expect(await messageFor(StringWithForm, { code: 12345 })).toBe('code must be text');
    expect(await messageFor(StringWithForm, { code: 'abcd' })).toMatch(
      /^code must be (at most 3|lower-case)/,
    );
  });
});
