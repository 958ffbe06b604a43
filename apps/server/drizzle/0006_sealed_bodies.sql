CREATE SCHEMA "salon_keys";
--> statement-breakpoint
CREATE TABLE "salon_keys"."room_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"room_id" uuid NOT NULL,
	"period" bigint NOT NULL,
	"wrapped_key" text NOT NULL,
	"master_key_id" text NOT NULL,
	"destroy_after" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sealed_body" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "body_key_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "room_keys_room_period_key" ON "salon_keys"."room_keys" USING btree ("room_id","period");--> statement-breakpoint
CREATE INDEX "room_keys_destroy_idx" ON "salon_keys"."room_keys" USING btree ("destroy_after") WHERE "salon_keys"."room_keys"."destroy_after" is not null;