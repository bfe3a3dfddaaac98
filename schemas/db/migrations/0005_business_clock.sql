CREATE TABLE "business_clock" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"anchor_wall" timestamp with time zone NOT NULL,
	"anchor_business" timestamp with time zone NOT NULL,
	"rate" double precision NOT NULL,
	"set_by" integer,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "business_clock_one_row" CHECK ("business_clock"."id"),
	CONSTRAINT "business_clock_rate" CHECK ("business_clock"."rate" >= 0 AND "business_clock"."rate" <= 100000)
);
--> statement-breakpoint
-- The instant documents are dated at (schemas/db/business-clock.ts): the wall clock unless a row says otherwise.
-- Stable within a transaction, like now(): every document of one transaction has the same date.
CREATE FUNCTION business_now() RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce((SELECT anchor_business + (now() - anchor_wall) * rate FROM business_clock WHERE id), now())
$$;
--> statement-breakpoint
ALTER TABLE "stock_moves" ALTER COLUMN "created_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "issued_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "paid_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "sales_orders" ALTER COLUMN "created_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "shipments" ALTER COLUMN "picked_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "purchase_orders" ALTER COLUMN "created_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "receipts" ALTER COLUMN "received_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "transfers" ALTER COLUMN "requested_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "customer_returns" ALTER COLUMN "created_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "cycle_counts" ALTER COLUMN "counted_at" SET DEFAULT business_now();--> statement-breakpoint
ALTER TABLE "business_clock" ADD CONSTRAINT "business_clock_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;