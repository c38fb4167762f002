-- Calendar feeds (issue 23): each store's and partner's feed sits behind an address whose
-- token is an HMAC of the owner and this generation under the server's key, so nothing
-- secret is stored; rotating moves the generation on and the old address stops working.
-- No row: generation 0.
CREATE TABLE calendar_feeds (
    kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    rotated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, owner_id)
);
