-- CSV injection (OWASP): a spreadsheet opening a CSV takes a cell that begins with = + - @, a tab
-- or a carriage return as a formula (=HYPERLINK(…) sends the reader to a site of the attacker's
-- choosing; older Excel runs DDE commands). The access-log exports (the monthly CSV and the
-- archive of a month) pass every cell that holds stored text through this function inside their
-- COPY, so the rule is applied once, in the database, and the export keeps streaming.
--
-- A cell is neutralised (a single quote put before it; the exports quote every such cell) when
-- it begins with one of = + - @ TAB CR, or with their full-width forms ＝ ＋ － ＠, either at
-- once or after leading blanks (space, TAB, LF, VT, FF, CR, NO-BREAK SPACE, IDEOGRAPHIC SPACE)
-- and quotes (" '). Skipping blanks and quotes catches values that a spreadsheet or a reader
-- trims before looking, and makes the prefix exact to undo: removing one leading ' from a cell
-- whose rest matches the rule gives back the stored value, and no stored value that the rule
-- leaves alone looks like that. lib/audit/csv.ts holds the same rule for the tests (which check
-- the two agree) and for readers of the files.
--
-- ascii() (the first character's code point) sends the usual cell past the regular expression,
-- which PostgreSQL would otherwise run over the whole text of every cell. One expression, so
-- PostgreSQL inlines it; call it on a column, not around a sub-select or a long CASE, which it
-- would not inline (the argument is used more than once) and would run per cell as a function.
CREATE FUNCTION "chiikilink_csv_cell"(v TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN ascii(v) NOT IN (9, 10, 11, 12, 13, 32, 34, 39, 43, 45, 61, 64, 160, 12288, 65291, 65293, 65309, 65312) THEN v
    WHEN v ~ '^[ \t\n\v\f\r\u00a0\u3000"'']*[-=+@\t\r\uff1d\uff0b\uff0d\uff20]' THEN '''' || v
    ELSE v
  END
$$;
