import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SAMPLE_USERS, type SampleUser } from './sample-user.js';

/** The request fields the guard reads and writes. */
interface RequestWithUser {
  headers: Record<string, string | string[] | undefined>;
  user?: SampleUser;
}

/**
 * A tiny stand-in for authentication: the `x-user` header names one of {@link SAMPLE_USERS}
 * (case-insensitive), which becomes `request.user = { id, name }`. Missing or unknown → 401.
 */
@Injectable()
export class UserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    const header = request.headers['x-user'];
    const known = [...SAMPLE_USERS.keys()].join(', ');
    if (typeof header !== 'string' || header.trim() === '') {
      throw new UnauthorizedException(`Send the header "x-user" with one of: ${known}.`);
    }
    const user = SAMPLE_USERS.get(header.trim().toLowerCase());
    if (!user) {
      throw new UnauthorizedException(`Unknown user ${JSON.stringify(header)} in "x-user"; known users: ${known}.`);
    }
    request.user = user;
    return true;
  }
}
