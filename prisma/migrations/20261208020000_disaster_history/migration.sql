-- Disaster declarations (issue 16, the Noto rule): what the secretariat declared, extended and
-- closed, kept as it happened. A declaration row holds only its current end; a grant opened under
-- it is reviewed against the period in force then, so each change is written here with who made
-- it and why, in the transaction that changes the declaration.

-- CreateEnum
CREATE TYPE "DisasterEventKind" AS ENUM ('DECLARED', 'EXTENDED', 'CLOSED');

-- CreateTable
CREATE TABLE "disaster_declaration_events" (
    "id" UUID NOT NULL,
    "declaration_id" UUID NOT NULL,
    "kind" "DisasterEventKind" NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "previous_ends_at" TIMESTAMPTZ(3),
    "note" VARCHAR(1000),
    "by_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "disaster_declaration_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "disaster_declaration_events_declaration_id_at_idx" ON "disaster_declaration_events"("declaration_id", "at");

-- AddForeignKey
ALTER TABLE "disaster_declaration_events" ADD CONSTRAINT "disaster_declaration_events_declaration_id_fkey" FOREIGN KEY ("declaration_id") REFERENCES "disaster_declarations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
