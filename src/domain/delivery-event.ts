/**
 * Delivery receipts (DLRs) as End User Messaging publishes them through an event destination, and
 * the compact form that is signalled into a workflow.
 */
import { z } from 'zod';

/** The event itself, as documented; unknown fields are kept out by `.strip()` but never fail parsing. */
export const deliveryEventSchema = z.object({
  eventType: z.string().regex(/^[A-Z_]+$/, 'must be an upper-case event type such as TEXT_DELIVERED'),
  eventVersion: z.string().optional(),
  eventTimestamp: z.number().int().nonnegative(),
  isFinal: z.boolean(),
  originationPhoneNumber: z.string().optional(),
  destinationPhoneNumber: z.string().optional(),
  isoCountryCode: z.string().optional(),
  messageId: z.string().min(1),
  messageRequestTimestamp: z.number().optional(),
  messageType: z.string().optional(),
  messageStatus: z.string().min(1),
  messageStatusDescription: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
  totalMessageParts: z.number().optional(),
  totalMessagePrice: z.number().optional(),
  totalCarrierFee: z.number().optional(),
});
export type DeliveryEvent = z.infer<typeof deliveryEventSchema>;

/** What the ingester signals into the workflow: only what the workflow needs, no phone numbers. */
export const dlrSignalSchema = z
  .object({
    attempt: z.number().int().positive(),
    eventType: z.string().min(1),
    status: z.string().min(1),
    isFinal: z.boolean(),
    messageId: z.string().min(1),
    eventTimestamp: z.number().int().nonnegative(),
    description: z.string().max(500).optional(),
    price: z.number().optional(),
  })
  .strict();
export type DlrSignal = z.infer<typeof dlrSignalSchema>;
