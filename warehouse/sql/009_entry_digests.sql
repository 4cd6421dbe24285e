-- Entry digests: for a source read incrementally (LiteLLM's registry), a digest of the text each of its keys was
-- last read from, so that a new process can skip the entries whose text did not change. Written by the loader
-- in the transaction of the run that read them. A NULL digest means "read this key again". No primary key:
-- the loader deletes a key's row before writing it again, within one transaction.
CREATE TABLE entry_digests (
    source            VARCHAR NOT NULL,
    source_model_key  VARCHAR NOT NULL,
    digest            VARCHAR
);
