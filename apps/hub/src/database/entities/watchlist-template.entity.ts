import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/** One enrolled face: the encrypted template and, optionally, the encrypted aligned face crop (JPEG). */
@Entity('watchlist_templates')
@Index('watchlist_templates_entry', ['entryId'])
export class WatchlistTemplateEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'entry_id', type: 'varchar', length: 36 }) entryId!: string;
  @Column({ name: 'face_model', type: 'varchar', length: 64 }) faceModel!: string;
  @Column({ type: 'integer' }) dims!: number;
  @Column({ name: 'template_enc', type: 'text' }) templateEnc!: string;
  @Column({ name: 'crop_enc', type: 'text', nullable: true }) cropEnc!: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
