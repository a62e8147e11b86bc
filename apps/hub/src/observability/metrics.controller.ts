import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/access.decorators.js';
import { MetricsScrapeGuard } from '../auth/metrics-scrape.guard.js';
import { MetricsService } from './metrics.service.js';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** No user login (Prometheus cannot); MetricsScrapeGuard asks for the scrape token or a loopback caller. */
  @Get()
  @Public()
  @UseGuards(MetricsScrapeGuard)
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
