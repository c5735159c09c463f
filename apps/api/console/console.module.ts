import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The audit console's page and files at /console. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
