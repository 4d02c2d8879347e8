import { ConsoleActionsController } from './console-actions.controller';
import { ConsoleAuthController } from './console-auth.controller';
import { ConsoleDownloadsController } from './console-downloads.controller';
import { ConsolePagesController } from './console-pages.controller';
import { ConsoleSessions } from './session';

/** The browser console at /console, served with the admin API (admin.enabled). */
export const CONSOLE_CONTROLLERS = [ConsoleAuthController, ConsolePagesController, ConsoleDownloadsController, ConsoleActionsController];
export const CONSOLE_PROVIDERS = [ConsoleSessions];
