-- Tables for the pgbench peer, in their own database.
SET client_min_messages = warning;
DROP TABLE IF EXISTS peer_bids;
DROP TABLE IF EXISTS peer_auctions;
CREATE TABLE peer_auctions (
  id BIGINT PRIMARY KEY,
  current_price BIGINT NOT NULL,
  version BIGINT NOT NULL,
  bid_count BIGINT NOT NULL
);
CREATE TABLE peer_bids (
  id BIGSERIAL PRIMARY KEY,
  auction_id BIGINT NOT NULL REFERENCES peer_auctions (id),
  bidder_id BIGINT NOT NULL,
  max_amount BIGINT NOT NULL,
  placed_at TIMESTAMPTZ NOT NULL
);
INSERT INTO peer_auctions SELECT g, 100, 1, 0 FROM generate_series(1, :auctions) g;
