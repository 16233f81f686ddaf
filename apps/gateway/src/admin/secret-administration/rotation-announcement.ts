import { WidgetSecretRotated } from '@inviaro/contracts';
import { EventPublisher } from '@inviaro/bus';
import { WidgetRef } from '../widget-row';
import { Inject, Injectable, Logger } from '@nestjs/common';

/** The publish step of a rotate or retire, after its commit. */
@Injectable()
export class RotationAnnouncement {
  private readonly logger = new Logger('widgets');

  constructor(@Inject(EventPublisher) private readonly publisher: Pick<EventPublisher, 'publish'>) {}

  /** Ends, on every gateway, the live streams verified under a version older than `liveFrom`. */
  async announce(widget: WidgetRef, liveFrom: number): Promise<void> {
    try {
      await this.publisher.publish(
        WidgetSecretRotated,
        { workspace_id: widget.workspace_id, widget_id: widget.id, secret_version: liveFrom },
        { correlationId: widget.id },
      );
    } catch (error) {
      // The change has taken effect (a rotate's answer is the new secret's one reveal). Live streams verified
      // under an older secret end all the same: every gateway checks the version marker at delivery (live-updates.ts).
      this.logger.error({ widget_id: widget.id, err: String(error) }, 'widget.secret.rotated could not be published');
    }
  }
}
