import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../bigint-number.js';

/**
 * A message the hub refused, kept (truncated) so an engineer can see what a gate sent. The excerpt may
 * hold identity data: it is a DataCipher ciphertext bound to `ref`, and `idHmacs` lists the HMACs of
 * the CCCD numbers found in it (`,h1,h2,`) so a person's export and erasure reach the row.
 */
@Entity('dead_letters')
@Index('dead_letters_time', ['receivedAt'])
export class DeadLetterEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'received_at', type: 'bigint', transformer: bigintNumber }) receivedAt!: number;
  @Column({ type: 'varchar', length: 512 }) topic!: string;
  @Column({ type: 'varchar', length: 32 }) reason!: string;
  @Column({ type: 'text' }) detail!: string;
  @Column({ name: 'payload_bytes', type: 'integer' }) payloadBytes!: number;
  @Column({ name: 'payload_excerpt', type: 'text' }) payloadExcerpt!: string;
  @Column({ type: 'varchar', length: 40, nullable: true }) ref!: string | null;
  @Column({ name: 'id_hmacs', type: 'text', nullable: true }) idHmacs!: string | null;
}
