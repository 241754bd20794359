import { JsonType, type Platform, type TransformContext } from '@mikro-orm/core';

/**
 * JSON column that reads back as a value on MySQL 8, MariaDB and SQLite alike. MariaDB's JSON is a
 * LONGTEXT alias, so its driver hands back the text; MySQL's hands back the parsed value.
 */
export class JsonColumnType extends JsonType {
  override convertToJSValue(value: unknown, platform: Platform, context?: TransformContext): unknown {
    if (typeof value === 'string') return platform.convertJsonToJSValue(value, context);
    return super.convertToJSValue(value as never, platform, context);
  }
}
