import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SampleUser } from './sample-user.js';

/** The `request.user` that {@link UserGuard} set; use it on routes guarded by `UserGuard`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SampleUser =>
    context.switchToHttp().getRequest<{ user: SampleUser }>().user,
);
