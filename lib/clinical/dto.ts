import type { TContentCategory } from "@/lib/clinical/ingest/types";

/** A file that came with a content item (image, PDF), served only through /api/contents/{id}/files/{fileId}. */
export type TContentFileRef = { id: string; fileName: string; contentType: string };

/** One content item as the screens receive it (after the visibility rule, with its access-log row written). */
export type TContentView = {
  id: string;
  category: TContentCategory;
  occurredAt: Date;
  /** the care date in Japan, yyyy-mm-dd */
  occurredDate: string;
  title: string;
  ownerFacilityId: string;
  ownerFacilityName: string;
  files: TContentFileRef[];
  /** the structured content as the importer stored it (SS-MIX2 or FHIR shape; see lib/clinical/ingest) */
  payload: unknown;
};
