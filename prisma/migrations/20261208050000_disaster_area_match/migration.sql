-- A declaration's area is matched against the patient's address as people type both: width
-- folded (NFKC: ｲｼｶﾜ, full-width digits) and without spaces ("石川県 輪島市" is in 石川県輪島市).
-- Same function, same result otherwise (lib/access/oracle.ts keeps the same matching).
CREATE OR REPLACE FUNCTION "chiikilink_area_text"(s TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(normalize(coalesce(s, ''), NFKC), '\s', '', 'g')
$$;

CREATE OR REPLACE FUNCTION "chiikilink_disasters"(f UUID, p UUID, t TIMESTAMPTZ)
RETURNS TABLE (id UUID, overrides_withdrawal BOOLEAN, skip_notice BOOLEAN, consent_after_fact BOOLEAN)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT d.id, d.overrides_withdrawal, d.skip_notice, d.consent_after_fact
    FROM "disaster_declarations" d JOIN "patients" pt ON pt.id = p
   WHERE d.starts_at <= t AND d.ends_at > t AND (d.closed_at IS NULL OR d.closed_at > t)
     AND (cardinality(d.viewer_facility_ids) IS NULL OR cardinality(d.viewer_facility_ids) = 0 OR f = ANY (d.viewer_facility_ids))
     AND EXISTS (SELECT 1 FROM unnest(d.areas) a
                  WHERE "chiikilink_area_text"(a) <> '' AND position("chiikilink_area_text"(a) IN "chiikilink_area_text"(pt.address)) > 0)
$$;
