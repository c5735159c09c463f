import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, ValidateBy, type ValidationOptions } from 'class-validator';
import type { VerificationChannel } from '../../../libs/domain/events';
import { normalizePhone } from '../../../libs/personal-data/lookup-keys';
import { IsName } from '../common/safe-text';

/** A phone number `normalizePhone` accepts: international form, spaces, dots, dashes, brackets and a leading 00 allowed. */
export function IsPhoneNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPhoneNumber',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 40 && normalizePhone(value) !== null,
        defaultMessage: () => 'phone must be a number in international form: + and 8 to 15 digits, e.g. +15551234567',
      },
    },
    options,
  );
}

const PHONE = { example: '+15551234567', maxLength: 40, description: 'International form (E.164); spaces, dashes and a leading 00 are accepted' };

export class CreateAccountDto {
  @ApiProperty(PHONE)
  @IsPhoneNumber()
  phone!: string;

  @ApiProperty({ example: 'Alice', minLength: 1, maxLength: 100, pattern: '\\S' })
  @IsString()
  @Length(1, 100, { message: 'nickname must be 1 to 100 characters' })
  @Matches(/\S/, { message: 'nickname must not be blank' })
  @IsName()
  nickname!: string;
}

export class RequestCodeDto {
  @ApiProperty(PHONE)
  @IsPhoneNumber()
  phone!: string;

  @ApiPropertyOptional({ enum: ['sms', 'voice'], default: 'sms' })
  @IsOptional()
  @IsIn(['sms', 'voice'], { message: 'channel must be sms or voice' })
  channel?: VerificationChannel;
}

export class VerifyCodeDto {
  @ApiProperty(PHONE)
  @IsPhoneNumber()
  phone!: string;

  @ApiProperty({ example: '123456', pattern: '^\\d{4,8}$', description: 'The code sent to the phone' })
  @IsString()
  @Matches(/^\d{4,8}$/, { message: 'code must be 4 to 8 digits' })
  code!: string;
}

export class VerificationCodesQueryDto {
  @ApiPropertyOptional({ ...PHONE, description: 'Only codes sent to this number' })
  @IsOptional()
  @IsPhoneNumber()
  phone?: string;
}

export class AddAccountDto extends CreateAccountDto {}

export class AccountCodeDto extends RequestCodeDto {}

export class VerifyAccountDto extends VerifyCodeDto {}

export class RemoveAccountDto {
  @ApiPropertyOptional({ maxLength: 1000, description: 'Why the account goes (Windu asks for it); kept with the removal' })
  @IsOptional()
  @IsString()
  @Length(0, 1000, { message: 'feedback must be at most 1000 characters' })
  feedback?: string;
}
