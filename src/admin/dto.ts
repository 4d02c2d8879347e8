import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** Request bodies and query strings of the admin API, validated with class-validator. */
export class LoginDto {
  @IsString() @Length(1, 128) username!: string;
  @IsString() @Length(1, 256) password!: string;
}

export class ChangePasswordDto {
  @IsString() @Length(1, 256) current!: string;
  @IsString() @MinLength(12) @MaxLength(256) password!: string;
}

export class RevokeDto {
  @IsOptional() @Type(() => Number) @IsInt() @IsIn([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]) reason?: number;
}

export class BulkRevokeDto extends RevokeDto {
  @IsOptional() @IsString() @MaxLength(64) account?: string;
  @IsOptional() @IsString() @MaxLength(253) name?: string;
  @IsOptional() @IsString() @Matches(/^[0-9a-fA-F]{1,40}$/) serial?: string;
  /** Safety: the bulk revocation proceeds only when it matches exactly this many certificates. */
  @Type(() => Number) @IsInt() @Min(1) @Max(100000) expect!: number;
}

/** Incident response (RFC 9773): the ARI window of the matching certificates moves into the past. */
export class RenewNowDto {
  @IsOptional() @IsString() @MaxLength(64) account?: string;
  @IsOptional() @IsString() @MaxLength(253) name?: string;
  @IsOptional() @IsString() @Matches(/^[0-9a-fA-F]{1,40}$/) serial?: string;
  @IsString() @Length(1, 500) reason!: string;
  /** Safety: proceeds only when the selection matches exactly this many certificates. */
  @Type(() => Number) @IsInt() @Min(1) @Max(100000) expect!: number;
}

export class MaintenanceDto {
  @IsBoolean() enabled!: boolean;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class DeactivateAccountDto {
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class PageQuery {
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class CertificateQuery extends PageQuery {
  @IsOptional() @IsString() @MaxLength(253) name?: string;
  /** A part of any of the certificate's names (case-insensitive). */
  @IsOptional() @IsString() @MaxLength(253) name_contains?: string;
  @IsOptional() @IsString() @Matches(/^[0-9a-fA-F]{1,40}$/) serial?: string;
  @IsOptional() @IsString() @MaxLength(64) account?: string;
  @IsOptional() @IsIn(['valid', 'revoked', 'expired']) status?: string;
  @IsOptional() @IsISO8601() expiring_before?: string;
  @IsOptional() @IsISO8601() issued_after?: string;
  @IsOptional() @IsISO8601() issued_before?: string;
}

export class OrderQuery extends PageQuery {
  @IsOptional() @IsString() @MaxLength(64) account?: string;
  @IsOptional() @IsIn(['pending', 'ready', 'processing', 'valid', 'invalid']) status?: string;
}

export class AuditQuery extends PageQuery {
  @IsOptional() @IsString() @MaxLength(200) actor?: string;
  @IsOptional() @IsString() @MaxLength(100) type?: string;
  @IsOptional() @IsString() @MaxLength(200) stream?: string;
  /** Only events that recorded a problem of this type (failed validations, failed orders). */
  @IsOptional() @IsString() @MaxLength(200) problem?: string;
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
}

export class HistoryQuery {
  @IsOptional() @IsISO8601() at?: string;
}

export class CreateEabKeyDto {
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(253, { each: true }) allowed_identifiers?: string[];
  @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class RevokeEabKeyDto {
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class PeriodQuery {
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
}

export class ReportQuery {
  @IsISO8601() from!: string;
  @IsISO8601() to!: string;
  @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
  @IsOptional() @IsIn(['issued', 'revoked', 'accounts', 'eab']) section?: 'issued' | 'revoked' | 'accounts' | 'eab';
}

export class AuthorizationQuery extends PageQuery {
  @IsOptional() @IsString() @MaxLength(64) account?: string;
  @IsOptional() @IsString() @MaxLength(253) identifier?: string;
  @IsOptional() @IsIn(['pending', 'valid', 'invalid', 'deactivated', 'expired']) status?: string;
}

export class RateLimitOverrideDto {
  @IsString() @Length(1, 64) limit!: string;
  @IsString() @Length(1, 300) subject!: string;
  @Type(() => Number) @IsInt() @Min(0) @Max(10_000_000) count!: number;
  @IsOptional() @IsString() @Matches(/^\d+(ms|s|m|h|d)$/) period?: string;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class RemoveRateLimitOverrideDto {
  @IsString() @Length(1, 64) limit!: string;
  @IsString() @Length(1, 300) subject!: string;
}
