import { ApiProperty } from '@nestjs/swagger';
import { UUID, WHOLE } from '../common/openapi';
import type { HistoryWeeksView, HistoryWeekView } from './history.queries';

export class HistoryWeekResponse implements HistoryWeekView {
  @ApiProperty({ type: 'integer', example: 2016 }) year!: number;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 53, example: 20 }) week!: number;
  @ApiProperty({ ...WHOLE, description: 'Comments of the week that stand' }) count!: number;
  @ApiProperty({ ...WHOLE, description: 'Moves with every comment posted or deleted in the week' }) revision!: number;
}

export class HistoryWeeksResponse implements HistoryWeeksView {
  @ApiProperty(UUID) roomId!: string;
  @ApiProperty({ ...WHOLE, description: 'Moves with any change in the room’s history' }) revision!: number;
  @ApiProperty({ type: [HistoryWeekResponse] }) weeks!: HistoryWeekResponse[];
}
