import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { CommittedEventsCounter } from '../ops/committed-events';
import type { AcmeServices } from './acme-services';
import type { AdminWiring } from './admin-wiring';
import { CRL_STATUS } from '../ca/crl-token';
import { ACME_CONTEXT } from '../acme/http/acme-context';
import { AcmeController } from '../acme/http/acme.controller';
import { DIRECTORY_META, type DirectoryMeta } from '../acme/http/directory-meta';
import { DirectoryController } from '../acme/http/directory.controller';
import { RenewalInfoController } from '../acme/http/renewal-info.controller';
import { JwsService } from '../acme/http/jws.service';
import { ProblemFilter } from '../acme/http/problem.filter';
import { ChangeAccountKeyHandler, NewAccountHandler, UpdateAccountHandler } from '../commands/account.commands';
import { ACME_DEPS } from '../commands/acme-deps';
import {
  DeactivateAuthzHandler,
  FinalizeOrderHandler,
  NewAuthzHandler,
  NewOrderHandler,
  RespondChallengeHandler,
} from '../commands/order.commands';
import { RevokeCertificateHandler } from '../commands/revoke.command';
import { DEPENDENCY_SETTINGS, type DependencySettings } from '../ops/dependency-checks';
import { AdminActions } from '../admin/admin-actions';
import { ADMIN_SOURCES } from '../admin/admin-sources';
import { ADMIN_TOKENS } from '../admin/admin-auth.guard';
import { AdminQueries } from '../admin/admin-queries';
import { AdminStats } from '../admin/admin-stats';
import { EabKeys } from '../admin/eab-keys';
import { RateLimitOverrides } from '../admin/rate-limit-overrides';
import { ADMIN_USERS, AdminController } from '../admin/admin.controller';
import { MAINTENANCE, MaintenanceMode } from '../commands/maintenance';
import { CONSOLE_CONTROLLERS, CONSOLE_PROVIDERS } from '../console';
import { HealthController } from '../ops/health.controller';
import { type MetricsAccess, metricsController } from '../ops/metrics.controller';
import type { Metrics } from '../ops/metrics';
import { crlController } from '../acme/http/crl.controller';
import { rateLimitsPageController } from '../acme/http/rate-limits-page.controller';
import type { RateLimitSettings } from '../ratelimit/limits';
import { NODE_STATUS } from '../ops/node-status';
import type { Runtime } from './runtime';

const COMMAND_HANDLERS = [
  NewAccountHandler,
  UpdateAccountHandler,
  ChangeAccountKeyHandler,
  NewOrderHandler,
  NewAuthzHandler,
  RespondChallengeHandler,
  DeactivateAuthzHandler,
  FinalizeOrderHandler,
  RevokeCertificateHandler,
];

/** What the HTTP application is built from: the booted runtime, the ACME services and the edges' settings. */
export interface HttpParts {
  runtime: Runtime;
  acme: AcmeServices;
  meta: DirectoryMeta;
  dependencies: DependencySettings;
  admin: AdminWiring | null;
  metrics: Metrics;
  metricsPath: string;
  metricsAccess: MetricsAccess;
  crlPath: string;
  rateLimits: RateLimitSettings;
}

/** The NestJS module of every HTTP edge (ACME, health, metrics, CRL, admin API, console), given its parts. */
@Module({})
export class HttpModule {
  static forRoot(parts: HttpParts): DynamicModule {
    const { runtime, acme, admin } = parts;
    const maintenance = new MaintenanceMode(acme.deps.aggregates);
    const adminProviders = admin
      ? [
          { provide: ADMIN_SOURCES, useValue: runtime },
          { provide: ADMIN_USERS, useValue: admin.users },
          { provide: ADMIN_TOKENS, useValue: admin.tokens },
          { provide: AdminQueries, useValue: new AdminQueries(runtime.db.pool, runtime.store) },
          { provide: AdminActions, useValue: new AdminActions(acme.deps.aggregates, runtime.db.pool) },
          { provide: EabKeys, useValue: new EabKeys(runtime.db.pool, acme.deps.aggregates) },
          { provide: RateLimitOverrides, useValue: new RateLimitOverrides(acme.deps.aggregates, runtime.db.pool) },
          { provide: AdminStats, useValue: new AdminStats(runtime.db.pool, runtime.projections, acme.crl, maintenance) },
          ...CONSOLE_PROVIDERS,
        ]
      : [];
    const edges = [
      metricsController(parts.metricsPath, parts.metrics, parts.metricsAccess),
      rateLimitsPageController(parts.rateLimits),
      ...(acme.crl ? [crlController(parts.crlPath, acme.crl.builder)] : []),
    ];
    return {
      module: HttpModule,
      global: true,
      // The EventBus carries committed events to in-process, best-effort subscribers (ops/committed-events.ts).
      imports: [CqrsModule.forRoot()],
      providers: [
        // A factory, not a value: the bus finds a handler's events through the class of a factory-made instance.
        { provide: CommittedEventsCounter, useFactory: () => new CommittedEventsCounter(parts.metrics), inject: [] },
        { provide: NODE_STATUS, useValue: runtime },
        { provide: ACME_CONTEXT, useValue: acme.context },
        { provide: ACME_DEPS, useValue: acme.deps },
        { provide: DIRECTORY_META, useValue: parts.meta },
        { provide: CRL_STATUS, useValue: acme.crl },
        { provide: DEPENDENCY_SETTINGS, useValue: parts.dependencies },
        { provide: MAINTENANCE, useValue: maintenance },
        ...adminProviders,
        { provide: APP_FILTER, useClass: ProblemFilter },
        JwsService,
        // Each command has one caller, the ACME controller, which gets its handler injected.
        ...COMMAND_HANDLERS.map((Handler) => ({ provide: Handler, useValue: new Handler(acme.deps) })),
      ],
      exports: [NODE_STATUS],
      controllers: [HealthController, DirectoryController, RenewalInfoController, AcmeController, ...edges, ...(admin ? [AdminController, ...CONSOLE_CONTROLLERS] : [])],
    };
  }
}
