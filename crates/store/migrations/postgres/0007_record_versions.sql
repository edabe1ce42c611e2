-- The version of each module's records: every transaction that writes a module's records or
-- their links adds one as it commits, so that a list's total is counted again only when it
-- may have moved. Apart from `record_sequences`, whose row a create holds from its start:
-- a transaction takes these rows only as it commits, in the order of their names.
CREATE TABLE record_versions (
    module  TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO record_versions (module, version) SELECT module, 0 FROM record_sequences;
