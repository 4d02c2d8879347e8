import { type DynamicModule, Module } from '@nestjs/common';
import { HealthController } from './ops/health.controller';
import { RUNTIME, type Runtime } from './runtime/runtime';

/** Composition root of the HTTP application: hands the booted runtime to every module. */
@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: AppModule,
      global: true,
      providers: [{ provide: RUNTIME, useValue: runtime }],
      exports: [RUNTIME],
      controllers: [HealthController],
    };
  }
}
