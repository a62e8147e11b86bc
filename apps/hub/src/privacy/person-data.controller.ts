import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  PersonRequestSchema,
  PersonSearchRequestSchema,
  type PersonEraseResult,
  type PersonExport,
  type PersonRequest,
  type PersonSearchRequest,
  type PersonSearchResult,
} from '../../../../libs/contracts/src/index.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { PersonDataService } from './person-data.service.js';

/** One person's data on request, by CCCD number (admin only; the number travels in the body, not the URL). */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api/privacy')
export class PersonDataController {
  constructor(private readonly person: PersonDataService) {}

  /** Who the hub holds under a name, with their CCCD numbers, to pick one for export or erase. */
  @Post('person-search')
  @HttpCode(200)
  @Access(['admin'])
  search(
    @Body(new ZodPipe(PersonSearchRequestSchema)) req: PersonSearchRequest,
    @CurrentPrincipal() p: Principal,
  ): Promise<PersonSearchResult> {
    return this.person.searchByName(req, p);
  }

  @Post('person-export')
  @HttpCode(200)
  @Access(['admin'])
  export(@Body(new ZodPipe(PersonRequestSchema)) req: PersonRequest, @CurrentPrincipal() p: Principal): Promise<PersonExport> {
    return this.person.export(req, p);
  }

  @Post('person-erase')
  @HttpCode(200)
  @Access(['admin'])
  erase(@Body(new ZodPipe(PersonRequestSchema)) req: PersonRequest, @CurrentPrincipal() p: Principal): Promise<PersonEraseResult> {
    return this.person.erase(req, p);
  }
}
