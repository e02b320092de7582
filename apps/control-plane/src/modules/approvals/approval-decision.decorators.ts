import { applyDecorators, Body, HttpCode, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiOperation } from '@nestjs/swagger';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { Roles } from '../auth/roles.decorator';
import { approvalDecisionBodySchema } from './dto/approval-decision.dto';

/** What the OpenAPI document says of an approve or reject endpoint, beyond its route. */
export interface ApprovalDecisionDocs {
  summary: string;
  /** The 403 response, when documented. */
  forbidden?: string;
  /** The 409 response, when documented. */
  conflict?: string;
}

/** An approve or reject endpoint: POST `path`, answered 200, Admin only (never on your own request: the service's rule). */
export function ApprovalDecisionEndpoint(path: string, docs: ApprovalDecisionDocs): MethodDecorator {
  return applyDecorators(
    Post(path),
    HttpCode(200),
    Roles('Admin'),
    ApiOperation({ summary: docs.summary }),
    ...(docs.forbidden === undefined ? [] : [ApiForbiddenResponse({ description: docs.forbidden })]),
    ...(docs.conflict === undefined ? [] : [ApiConflictResponse({ description: docs.conflict })]),
  );
}

/** The validated body of an approve or reject call (ApprovalDecisionBody). */
export function ApprovalDecision(): ParameterDecorator {
  return Body(new ZodValidationPipe(approvalDecisionBodySchema));
}
